using System.Collections;
using System.Globalization;

namespace Tributary.Sdk;

/// <summary>
/// A connector's configuration: a flat map of string keys to string values, like the Fivetran SDK's
/// <c>configuration.json</c>. The typed getters parse with the invariant culture and throw a
/// <see cref="ConfigurationException"/> that names the key when a value is missing or malformed.
/// </summary>
public sealed class ConnectorConfiguration : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _values;

    /// <summary>Creates a configuration from key/value pairs.</summary>
    public ConnectorConfiguration(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    /// <summary>An empty configuration.</summary>
    public static ConnectorConfiguration Empty { get; } = new([]);

    /// <summary>The value of a required key.</summary>
    /// <exception cref="ConfigurationException">The key is missing or its value is empty.</exception>
    public string GetString(string key)
    {
        if (!_values.TryGetValue(key, out var value) || string.IsNullOrWhiteSpace(value))
        {
            throw new ConfigurationException($"Missing required configuration key '{key}'.");
        }

        return value;
    }

    /// <summary>The value of an optional key, or <paramref name="defaultValue"/> when it is absent or empty.</summary>
    public string GetString(string key, string defaultValue) =>
        _values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : defaultValue;

    /// <summary>A required 32-bit integer.</summary>
    public int GetInt32(string key) => Parse(key, GetString(key), static s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");

    /// <summary>An optional 32-bit integer.</summary>
    public int GetInt32(string key, int defaultValue) => IsSet(key) ? GetInt32(key) : defaultValue;

    /// <summary>A required 64-bit integer.</summary>
    public long GetInt64(string key) => Parse(key, GetString(key), static s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");

    /// <summary>An optional 64-bit integer.</summary>
    public long GetInt64(string key, long defaultValue) => IsSet(key) ? GetInt64(key) : defaultValue;

    /// <summary>A required decimal number.</summary>
    public decimal GetDecimal(string key) => Parse(key, GetString(key), static s => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture), "a decimal number");

    /// <summary>A required boolean: <c>true</c> or <c>false</c>, any case.</summary>
    public bool GetBoolean(string key) => Parse(key, GetString(key), static s => bool.Parse(s), "true or false");

    /// <summary>An optional boolean.</summary>
    public bool GetBoolean(string key, bool defaultValue) => IsSet(key) ? GetBoolean(key) : defaultValue;

    /// <summary>A required ISO-8601 date and time; a value without an offset is taken as UTC.</summary>
    public DateTimeOffset GetDateTimeOffset(string key) => Parse(
        key,
        GetString(key),
        static s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        "an ISO-8601 date and time");

    /// <summary>A required absolute URI.</summary>
    public Uri GetUri(string key) => Parse(key, GetString(key), static s =>
    {
        // On Unix "/v1/items" parses as a file URI; an absolute URI here must name its scheme.
        var uri = new Uri(s, UriKind.Absolute);
        return s.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase) ? uri : throw new UriFormatException("The value has no scheme.");
    }, "an absolute URI");

    /// <summary>An optional absolute URI, or <paramref name="defaultValue"/> when the key is absent or empty (a source's public
    /// address, overridden to point a connection at a sandbox or a test's fake).</summary>
    public Uri GetUri(string key, string defaultValue) => IsSet(key) ? GetUri(key) : new Uri(defaultValue, UriKind.Absolute);

    /// <summary>A required value that must be one of <paramref name="allowed"/> (ordinal, case-sensitive).</summary>
    public string GetOneOf(string key, params ReadOnlySpan<string> allowed)
    {
        var value = GetString(key);
        foreach (var candidate in allowed)
        {
            if (candidate == value)
            {
                return value;
            }
        }

        throw new ConfigurationException(
            $"Configuration key '{key}' has value '{value}'; expected one of: {string.Join(", ", allowed.ToArray())}.");
    }

    private bool IsSet(string key) => _values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value);

    private static T Parse<T>(string key, string value, Func<string, T> parse, string expected)
    {
        try
        {
            return parse(value.Trim());
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or UriFormatException)
        {
            throw new ConfigurationException($"Configuration key '{key}' must be {expected}; got '{value}'.", ex);
        }
    }

    /// <inheritdoc />
    public string this[string key] => GetString(key);

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) =>
        _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tributary.Testing;

/// <summary>How a statistic of one Delta type is computed in DuckDB and compared with the value the log records.</summary>
internal static partial class StatsValue
{
    /// <summary>Whether the protocol's min/max statistics apply to <paramref name="type"/> (primitive, comparable, not binary).</summary>
    public static bool HasBounds(string type) => Category(type) is not null;

    /// <summary>The DuckDB aggregates giving the minimum and maximum of <paramref name="expression"/>, or none.</summary>
    public static IReadOnlyList<string> Aggregates(string type, string expression) => Category(type) switch
    {
        "integer" => [$"CAST(min({expression}) AS BIGINT)", $"CAST(max({expression}) AS BIGINT)"],
        "float" or "double" => [$"CAST(min({expression}) AS DOUBLE)", $"CAST(max({expression}) AS DOUBLE)"],
        "decimal" or "string" or "date" => [$"CAST(min({expression}) AS VARCHAR)", $"CAST(max({expression}) AS VARCHAR)"],
        "timestamp" => [$"epoch_us(CAST(min({expression}) AS TIMESTAMP))", $"epoch_us(CAST(max({expression}) AS TIMESTAMP))"],
        "boolean" => [$"bool_and({expression})", $"bool_or({expression})"],
        _ => [],
    };

    /// <summary>What is wrong with <paramref name="recorded"/> as the min (or max) of a column whose true one is <paramref name="actual"/>; null when it is right.</summary>
    public static string? Check(string type, JsonElement recorded, object actual, bool isMax, bool tight)
    {
        var shown = Category(type) switch
        {
            "decimal" or "date" => (string)actual,
            "timestamp" => DateTime.UnixEpoch.AddTicks((long)actual * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            _ => Show(actual),
        };
        var truth = $"the file's {(isMax ? "maximum" : "minimum")} is {shown}";
        int? order = Category(type) switch
        {
            "integer" => recorded.ValueKind == JsonValueKind.Number && recorded.TryGetInt64(out var n) ? n.CompareTo(Convert.ToInt64(actual, CultureInfo.InvariantCulture)) : null,
            "float" => recorded.ValueKind == JsonValueKind.Number ? ((float)recorded.GetDouble()).CompareTo((float)(double)actual) : null,
            "double" => recorded.ValueKind == JsonValueKind.Number ? recorded.GetDouble().CompareTo((double)actual) : null,
            "decimal" => recorded.ValueKind is JsonValueKind.Number or JsonValueKind.String && Exact(recorded.ValueKind == JsonValueKind.String ? recorded.GetString()! : recorded.GetRawText()) is { } r
                ? r.CompareTo(Exact((string)actual) ?? throw new InvalidDataException($"DuckDB gave the decimal '{actual}'")) : null,
            "date" => recorded.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(recorded.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d.CompareTo(DateOnly.ParseExact((string)actual, "yyyy-MM-dd", CultureInfo.InvariantCulture)) : null,
            "boolean" => recorded.ValueKind is JsonValueKind.True or JsonValueKind.False ? recorded.GetBoolean().CompareTo((bool)actual) : null,
            "string" => recorded.ValueKind == JsonValueKind.String ? 0 : null,
            "timestamp" => recorded.ValueKind == JsonValueKind.String && Micros(recorded.GetString()!) is not null ? 0 : null,
            _ => 0,
        };
        if (order is null)
        {
            return $"it is not a {type} value as the protocol serializes one";
        }

        return Category(type) switch
        {
            "string" => CheckString(recorded.GetString()!, (string)actual, isMax, tight) ? null : truth,
            "timestamp" => CheckTimestamp(Micros(recorded.GetString()!)!.Value, (long)actual, isMax, tight) ? null : truth + " (the protocol allows truncation to milliseconds)",
            _ => (tight ? order == 0 : isMax ? order >= 0 : order <= 0) ? null : truth,
        };
    }

    private static string? Category(string type) => type switch
    {
        "byte" or "short" or "integer" or "long" => "integer",
        "float" => "float",
        "double" => "double",
        "string" => "string",
        "date" => "date",
        "timestamp" or "timestamp_ntz" => "timestamp",
        "boolean" => "boolean",
        _ when type.StartsWith("decimal", StringComparison.Ordinal) => "decimal",
        _ => null,
    };

    /// <summary>A string bound: equal, or (cut to a prefix) a min that is a prefix of the true min, or a max that is at least the true max and whose prefix without its last character prefixes it.</summary>
    private static bool CheckString(string recorded, string actual, bool isMax, bool tight)
    {
        var order = Utf8Compare(recorded, actual);
        if (!tight)
        {
            return isMax ? order >= 0 : order <= 0;
        }

        if (order == 0)
        {
            return true;
        }

        if (!isMax)
        {
            return actual.StartsWith(recorded, StringComparison.Ordinal);
        }

        var runes = recorded.EnumerateRunes().ToList();
        var stem = string.Concat(runes.Take(runes.Count - 1).Select(r => r.ToString()));
        return order > 0 && actual.StartsWith(stem, StringComparison.Ordinal);
    }

    /// <summary>A timestamp bound, to the millisecond: a min between the true min truncated to ms and the true min; a max between the true max truncated and rounded up to ms.</summary>
    private static bool CheckTimestamp(long recorded, long actual, bool isMax, bool tight)
    {
        var floor = actual - (((actual % 1000) + 1000) % 1000);
        var ceiling = floor == actual ? actual : floor + 1000;
        if (!tight)
        {
            return isMax ? recorded >= floor : recorded <= actual;
        }

        return isMax ? recorded >= floor && recorded <= ceiling : recorded >= floor && recorded <= actual;
    }

    private static long? Micros(string text)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return null;
        }

        return (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
    }

    private static int Utf8Compare(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    /// <summary>A decimal number's exact value as a fraction over a power of ten (any number of digits, exponent allowed).</summary>
    private static ExactDecimal? Exact(string text)
    {
        if (Number().Match(text.Trim()) is not { Success: true } match)
        {
            return null;
        }

        var digits = match.Groups[2].Value + match.Groups[3].Value;
        var scale = match.Groups[3].Value.Length - (match.Groups[4].Success ? int.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture) : 0);
        var unscaled = BigInteger.Parse(digits.Length == 0 ? "0" : digits, CultureInfo.InvariantCulture);
        if (scale < 0)
        {
            unscaled *= BigInteger.Pow(10, -scale);
            scale = 0;
        }

        return new ExactDecimal(match.Groups[1].Value == "-" ? -unscaled : unscaled, scale);
    }

    private static string Show(object value) => value switch
    {
        string text => JsonSerializer.Serialize(text),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    [GeneratedRegex(@"^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")]
    private static partial Regex Number();

    private readonly record struct ExactDecimal(BigInteger Unscaled, int Scale) : IComparable<ExactDecimal>
    {
        public int CompareTo(ExactDecimal other)
        {
            var scale = Math.Max(Scale, other.Scale);
            return (Unscaled * BigInteger.Pow(10, scale - Scale)).CompareTo(other.Unscaled * BigInteger.Pow(10, scale - other.Scale));
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Runtime;

/// <summary>
/// The secret values one run has read or written (a rotated secret's old value included), and the checks that keep them
/// out of what the run saves or says. State is scanned value by value — property names, strings and the text of other
/// values — so no escaping by a JSON encoder hides a secret; run records, errors and logs are masked.
/// Besides each value, the forms it takes inside other text are known: URL-encoded, and escaped in JSON strings.
/// </summary>
internal sealed class SecretGuard
{
    /// <summary>What a masked secret reads as.</summary>
    public const string Masked = "***";

    // Shorter values are too common to find or mask meaningfully.
    private const int MinimumLength = 4;

    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);   // each form → its secret's name
    private readonly Lock _gate = new();
    private volatile string[] _forms = [];   // longest first, so a value that holds another is masked whole

    public bool IsEmpty => _forms.Length == 0;

    /// <summary>Remembers a value the run read or wrote as secret <paramref name="name"/>.</summary>
    public void Remember(string name, string value)
    {
        if (value.Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var form in Forms(value))
            {
                _names[form] = name;
            }

            _forms = [.. _names.Keys.OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal)];
        }
    }

    /// <summary>The name of a secret whose value occurs in <paramref name="text"/>, or <see langword="null"/>.</summary>
    public string? Find(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var form in _forms)
        {
            if (text.Contains(form, StringComparison.Ordinal))
            {
                return _names[form];
            }
        }

        return null;
    }

    /// <summary>
    /// The name of a secret whose value occurs anywhere in <paramref name="node"/>: in a property name, a string, or the
    /// text of another value; or <see langword="null"/>.
    /// </summary>
    public string? FindIn(JsonNode? node)
    {
        if (IsEmpty)
        {
            return null;
        }

        switch (node)
        {
            case JsonObject properties:
                foreach (var (name, value) in properties)
                {
                    if ((Find(name) ?? FindIn(value)) is { } secret)
                    {
                        return secret;
                    }
                }

                return null;
            case JsonArray items:
                foreach (var item in items)
                {
                    if (FindIn(item) is { } secret)
                    {
                        return secret;
                    }
                }

                return null;
            case JsonValue value when value.TryGetValue<string>(out var text):
                return Find(text);
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => null,
                    JsonValueKind.Number => Find(value.ToJsonString()),   // digits, sign, point, exponent: nothing escaped
                    // A value of another .NET type (a Guid, a date, an object): its JSON, read back, unescaped.
                    _ => FindIn(JsonNode.Parse(value.ToJsonString())),
                };
            default:
                return null;
        }
    }

    /// <summary><paramref name="text"/> with every known secret value masked.</summary>
    public string Redact(string text)
    {
        foreach (var form in _forms)
        {
            text = text.Replace(form, Masked, StringComparison.Ordinal);
        }

        return text;
    }

    private static IEnumerable<string> Forms(string value) => new[]
    {
        value,
        Uri.EscapeDataString(value),
        JsonEncodedText.Encode(value).ToString(),
        JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
    }.Distinct(StringComparer.Ordinal);
}

using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;

namespace Tributary.Connectors.DynamoDb;

/// <summary>
/// DynamoDB attribute values as row values and as state. A number (<c>N</c>, decimal text of up to 38 digits) stays exact:
/// a <see cref="long"/> when whole and in range, a <see cref="decimal"/> when it carries the digits, else its text (the
/// column widens to STRING, which keeps every digit). Sets, lists and maps become JSON, numbers in them as their own text.
/// </summary>
internal static class DynamoDbValues
{
    private static readonly BigInteger DecimalLimit = BigInteger.One << 96;
    private static readonly BigInteger LongMin = long.MinValue;
    private static readonly BigInteger LongMax = long.MaxValue;

    /// <summary>An item as a row: attribute name → value.</summary>
    public static Dictionary<string, object?> ToRow(Dictionary<string, AttributeValue> item)
    {
        var row = new Dictionary<string, object?>(item.Count, StringComparer.Ordinal);
        foreach (var (name, value) in item)
        {
            row[name] = ToColumn(value);
        }

        return row;
    }

    /// <summary>One attribute as a column value.</summary>
    public static object? ToColumn(AttributeValue value) => value switch
    {
        { S: { } s } => s,
        { N: { } n } => Number(n),
        { B: { } b } => b.ToArray(),
        { BOOL: { } flag } => flag,
        { NULL: true } => null,
        _ => ToJson(value),
    };

    /// <summary>A number's exact value: <see cref="long"/>, <see cref="decimal"/>, or the text when neither holds every digit.</summary>
    public static object Number(string text)
    {
        if (!TryParse(text, out var unscaled, out var scale))
        {
            throw new FormatException($"DynamoDB returned '{text}' as a number (N) and it does not read as one.");
        }

        if (scale == 0 && unscaled >= LongMin && unscaled <= LongMax)
        {
            return (long)unscaled;
        }

        if (scale <= 28 && BigInteger.Abs(unscaled) < DecimalLimit)
        {
            var magnitude = BigInteger.Abs(unscaled);
            var bytes = new int[3];
            for (var i = 0; i < 3; i++)
            {
                bytes[i] = unchecked((int)(uint)(magnitude & uint.MaxValue));
                magnitude >>= 32;
            }

            return new decimal(bytes[0], bytes[1], bytes[2], unscaled.Sign < 0, (byte)scale);
        }

        return text;
    }

    /// <summary>A set, a list or a map (or any value inside one) as JSON.</summary>
    public static JsonNode? ToJson(AttributeValue value) => value switch
    {
        { S: { } s } => JsonValue.Create(s),
        { N: { } n } => JsonNumber(n),
        { B: { } b } => JsonValue.Create(Convert.ToBase64String(b.ToArray())),
        { BOOL: { } flag } => JsonValue.Create(flag),
        { NULL: true } => null,
        { SS: { } strings } => new JsonArray([.. strings.Select(s => (JsonNode?)JsonValue.Create(s))]),
        { NS: { } numbers } => new JsonArray([.. numbers.Select(JsonNumber)]),
        { BS: { } binaries } => new JsonArray([.. binaries.Select(b => (JsonNode?)JsonValue.Create(Convert.ToBase64String(b.ToArray())))]),
        { IsLSet: true } => new JsonArray([.. value.L!.Select(ToJson)]),
        { IsMSet: true } => new JsonObject(value.M!.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
        _ => null,   // an empty list or map the SDK did not mark as set
    };

    /// <summary>A key (<c>LastEvaluatedKey</c>) in DynamoDB's JSON, for the state: key attributes are S, N or B.</summary>
    public static JsonObject KeyToState(Dictionary<string, AttributeValue> key)
    {
        var json = new JsonObject();
        foreach (var (name, value) in key)
        {
            json[name] = value switch
            {
                { S: { } s } => new JsonObject { ["S"] = s },
                { N: { } n } => new JsonObject { ["N"] = n },
                { B: { } b } => new JsonObject { ["B"] = Convert.ToBase64String(b.ToArray()) },
                _ => throw new InvalidOperationException($"DynamoDB returned key attribute '{name}' of a type a key cannot have."),
            };
        }

        return json;
    }

    /// <summary>A key saved by <see cref="KeyToState"/>, back as an <c>ExclusiveStartKey</c>.</summary>
    public static Dictionary<string, AttributeValue> KeyFromState(JsonObject json)
    {
        var key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var (name, node) in json)
        {
            var typed = node as JsonObject;
            key[name] = typed switch
            {
                _ when typed?["S"] is JsonValue s => new AttributeValue { S = s.GetValue<string>() },
                _ when typed?["N"] is JsonValue n => new AttributeValue { N = n.GetValue<string>() },
                _ when typed?["B"] is JsonValue b => new AttributeValue { B = new MemoryStream(Convert.FromBase64String(b.GetValue<string>())) },
                _ => throw new InvalidOperationException(
                    $"The saved state's exclusive_start_key has '{name}': {node?.ToJsonString() ?? "null"}, not {{\"S\"|\"N\"|\"B\": value}}. Reset the state."),
            };
        }

        return key;
    }

    private static JsonNode? JsonNumber(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonValue number && number.GetValueKind() == JsonValueKind.Number ? number : JsonValue.Create(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>Decimal text (<c>-12.50</c>, <c>1E+3</c>) as unscaled × 10^-scale, scale never negative.</summary>
    private static bool TryParse(string text, out BigInteger unscaled, out int scale)
    {
        unscaled = BigInteger.Zero;
        scale = 0;
        var span = text.AsSpan().Trim();
        var exponentAt = span.IndexOfAny('e', 'E');
        var mantissa = exponentAt < 0 ? span : span[..exponentAt];
        var exponent = 0;
        if (exponentAt >= 0 && !int.TryParse(span[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return false;
        }

        var point = mantissa.IndexOf('.');
        var fraction = point < 0 ? 0 : mantissa.Length - point - 1;
        var digits = point < 0 ? mantissa.ToString() : string.Concat(mantissa[..point], mantissa[(point + 1)..]);
        if (digits is "" or "-" or "+"
            || !BigInteger.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out unscaled))
        {
            return false;
        }

        var written = (long)fraction - exponent;
        if (written < 0)
        {
            // 1E+3: scale the digits up; DynamoDB's numbers have at most 126 integer digits.
            if (written < -130)
            {
                return false;
            }

            unscaled *= BigInteger.Pow(10, (int)-written);
            written = 0;
        }

        if (written > 200)
        {
            return false;
        }

        scale = (int)written;
        return true;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace Tributary.Testing;

/// <summary>Canonical text of warehouse values, so rows from any destination compare as strings.</summary>
public static class Values
{
    /// <summary>
    /// One value as text: NULL as <c>NULL</c>, booleans lower case, decimals without trailing zeros, doubles and floats
    /// round-trip, dates ISO-8601, instants in UTC with a <c>Z</c>, bytes as hex.
    /// </summary>
    public static string Show(object? value) => value switch
    {
        null => "NULL",
        bool b => b ? "true" : "false",
        decimal d => d.ToString("0.############################", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        byte[] bytes => "0x" + Convert.ToHexStringLower(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A row as its values' <see cref="Show(object?)"/> text joined by <c>|</c>.</summary>
    public static string Show(object?[] row) => string.Join('|', row.Select(Show));

    /// <summary>JSON text in one canonical form: keys sorted, no whitespace, so equal documents compare equal whatever the database made of them.</summary>
    public static string CanonicalJson(string json) => Canonical(JsonNode.Parse(json))?.ToJsonString() ?? "null";

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Canonical)]),
        JsonValue value when value.TryGetValue<decimal>(out var number) => JsonValue.Create(number / 1.0000000000000000000000000000m),
        _ => node?.DeepClone(),
    };
}

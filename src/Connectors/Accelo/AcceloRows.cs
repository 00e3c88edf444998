using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Sdk;

namespace Tributary.Connectors.Accelo;

/// <summary>
/// An Accelo record as a row of its entity's declared columns. Accelo sends numbers as strings and dates as Unix
/// seconds; the row carries them as numbers and ISO-8601 UTC times. A value that is not what its column says fails
/// the sync naming the entity, field and value (the original logged and nulled it).
/// </summary>
internal static class AcceloRows
{
    public static JsonObject From(AcceloEntity entity, JsonObject record)
    {
        var row = new JsonObject();
        foreach (var (field, type) in entity.Columns)
        {
            var value = record[field];
            row[field] = value is null || (value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length == 0)
                ? null
                : Convert(entity, field, type, value);
        }

        return row;
    }

    private static JsonNode? Convert(AcceloEntity entity, string field, ColumnType type, JsonNode value)
    {
        var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        try
        {
            if (type == ColumnType.Int)
            {
                return long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
            }

            if (type == ColumnType.Float)
            {
                return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            if (type == ColumnType.UtcDateTime)
            {
                // Unix seconds, or an ISO-8601 time on the resources that send one.
                var time = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                return time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            }

            if (type == ColumnType.Boolean)
            {
                return text.ToUpperInvariant() switch
                {
                    "YES" or "TRUE" or "1" => true,
                    "NO" or "FALSE" or "0" => false,
                    _ => throw new FormatException($"'{text}' is not yes/no"),
                };
            }

            return text;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new InvalidOperationException($"Accelo {entity.Name} {RecordName(value)} field '{field}' has '{text}', which is not a {type}.", ex);
        }

        static string RecordName(JsonNode value) => value.Parent?["id"] is { } id ? $"record {id}" : "record";
    }
}

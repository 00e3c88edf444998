using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tributary.Connectors.Smartsheets;

/// <summary>Turns Smartsheet rows into table rows the way the Fivetran original does: cells under their column titles,
/// and <c>id</c> the MD5 of the row id, so keys match a table the original filled.</summary>
internal static partial class SmartsheetRows
{
    /// <summary>The primary key of a Smartsheet row.</summary>
    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "A key that must equal the Python example's hashlib.md5 key, not a security measure.")]
    public static string Key(string rowId) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(rowId)));

    /// <summary>Column id (a sheet's <c>id</c>, a report's <c>virtualId</c>) to its normalised title and type.</summary>
    public static Dictionary<string, (string Name, string Type)> Columns(JsonObject envelope, string idField)
    {
        var columns = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var column in envelope["columns"]?.AsArray() ?? [])
        {
            var id = column?[idField] ?? column?["id"];
            if (id is not null)
            {
                columns[id.ToJsonString()] = (Normalize(column!["title"]?.GetValue<string>() ?? $"col_{id}"), column["type"]?.GetValue<string>() ?? "TEXT_NUMBER");
            }
        }

        return columns;
    }

    /// <summary>One row: its ids, then each cell under its column's name.</summary>
    public static JsonObject From(JsonObject row, IReadOnlyDictionary<string, (string Name, string Type)> columns, string cellColumnField, JsonObject identity)
    {
        var rowId = row["id"]!.ToJsonString();
        var result = new JsonObject { ["row_id"] = rowId };
        foreach (var (name, value) in identity)
        {
            result[name] = value?.DeepClone();
        }

        foreach (var cell in row["cells"]?.AsArray() ?? [])
        {
            var columnId = (cell?[cellColumnField] ?? cell?["columnId"])?.ToJsonString() ?? "";
            var (name, type) = columns.TryGetValue(columnId, out var column) ? column : ($"col_{columnId}", "TEXT_NUMBER");
            result[name] = Value(cell!, type);
        }

        result["id"] = Key(rowId);
        return result;
    }

    // A checkbox is a boolean, numbers and dates keep their JSON value; other cells are what Smartsheet displays.
    private static JsonNode? Value(JsonNode cell, string type)
    {
        var value = cell["value"];
        if (type == "CHECKBOX")
        {
            return value?.GetValueKind() == JsonValueKind.True;
        }

        if (value?.GetValueKind() is JsonValueKind.Number || type is "DATE" or "DATETIME" or "ABSTRACT_DATETIME")
        {
            return value?.DeepClone();
        }

        return (cell["displayValue"] ?? value)?.DeepClone();
    }

    private static string Normalize(string title) => NonWord().Replace(title, "_").ToLowerInvariant();

    [GeneratedRegex(@"[^\w]")]
    private static partial Regex NonWord();
}

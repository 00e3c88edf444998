using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tributary.Testing;

/// <summary>
/// Checks a schema string the way Spark's <c>DataType.fromJson</c> reads it (PROTOCOL.md "Schema Serialization Format"):
/// each type object has exactly the keys Spark matches on, primitive names come from the protocol's list, decimals have
/// 1 ≤ precision ≤ 38 and 0 ≤ scale ≤ precision, and names are unique regardless of case within a struct.
/// </summary>
internal static partial class DeltaSchemaRules
{
    private static readonly HashSet<string> Primitives = new(StringComparer.Ordinal)
    {
        "string", "long", "integer", "short", "byte", "float", "double", "decimal", "boolean", "binary", "date", "timestamp",
        "timestamp_ntz", "void", "variant",
    };

    /// <summary>Checks <paramref name="schemaString"/> and adds a message per violation.</summary>
    public static void Check(string schemaString, string where, List<string> violations)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(schemaString);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            violations.Add($"{where}: the schemaString is not JSON: {ex.Message}");
            return;
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "struct")
        {
            violations.Add($"{where}: the schemaString is not a struct type ({{\"type\":\"struct\",\"fields\":[…]}}).");
            return;
        }

        CheckType(root, "schema", where, violations);
    }

    private static void CheckType(JsonElement type, string path, string where, List<string> violations)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            CheckPrimitive(type.GetString()!, path, where, violations);
            return;
        }

        if (type.ValueKind != JsonValueKind.Object)
        {
            violations.Add($"{where}: the type of {path} is a JSON {type.ValueKind}, neither a type name nor a type object.");
            return;
        }

        DeltaActionRules.CheckDuplicateKeys(type, $"{where}: the type of {path}", violations);
        var kind = type.TryGetProperty("type", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        switch (kind)
        {
            case "struct":
                if (Keys(type, path, where, violations, "fields", "type") && type.GetProperty("fields") is { ValueKind: JsonValueKind.Array } fields)
                {
                    CheckFields(fields, path, where, violations);
                }
                else if (type.TryGetProperty("fields", out var notArray) && notArray.ValueKind != JsonValueKind.Array)
                {
                    violations.Add($"{where}: the fields of {path} are not an array.");
                }

                break;
            case "array":
                if (Keys(type, path, where, violations, "containsNull", "elementType", "type"))
                {
                    Boolean(type, "containsNull", path, where, violations);
                    CheckType(type.GetProperty("elementType"), path + ".element", where, violations);
                }

                break;
            case "map":
                if (Keys(type, path, where, violations, "keyType", "type", "valueContainsNull", "valueType"))
                {
                    Boolean(type, "valueContainsNull", path, where, violations);
                    CheckType(type.GetProperty("keyType"), path + ".key", where, violations);
                    CheckType(type.GetProperty("valueType"), path + ".value", where, violations);
                }

                break;
            default:
                violations.Add($"{where}: the type of {path} is an object whose \"type\" is {(kind is null ? "missing" : $"'{kind}'")}, not struct, array or map.");
                break;
        }
    }

    private static void CheckFields(JsonElement fields, string path, string where, List<string> violations)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var field in fields.EnumerateArray())
        {
            var at = $"{path}.fields[{index++}]";
            if (field.ValueKind != JsonValueKind.Object)
            {
                violations.Add($"{where}: {at} is a JSON {field.ValueKind}, not a field object.");
                continue;
            }

            DeltaActionRules.CheckDuplicateKeys(field, $"{where}: {at}", violations);
            if (!Keys(field, at, where, violations, "metadata", "name", "nullable", "type"))
            {
                continue;
            }

            var name = field.GetProperty("name");
            if (name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
            {
                violations.Add($"{where}: the name of {at} is {name.GetRawText()}, not a non-empty string.");
                continue;
            }

            var column = path == "schema" ? name.GetString()! : $"{path}.{name.GetString()}";
            if (!names.Add(name.GetString()!))
            {
                violations.Add($"{where}: the column name '{column}' occurs twice (names must be unique regardless of case).");
            }

            Boolean(field, "nullable", column, where, violations);
            if (field.GetProperty("metadata").ValueKind != JsonValueKind.Object)
            {
                violations.Add($"{where}: the metadata of '{column}' is not a JSON object.");
            }

            CheckType(field.GetProperty("type"), column, where, violations);
        }
    }

    private static void CheckPrimitive(string name, string path, string where, List<string> violations)
    {
        if (Decimal().Match(name) is { Success: true } decimalType)
        {
            var precision = int.TryParse(decimalType.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : int.MaxValue;
            var scale = int.TryParse(decimalType.Groups[2].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s : int.MaxValue;
            if (precision is < 1 or > 38 || scale < 0 || scale > precision)
            {
                violations.Add($"{where}: the type of {path}, {name}, is not a valid decimal (1 ≤ precision ≤ 38, 0 ≤ scale ≤ precision).");
            }

            return;
        }

        if (!Primitives.Contains(name))
        {
            violations.Add($"{where}: the type of {path}, '{name}', is not a primitive type of the protocol.");
        }
    }

    /// <summary>Whether an object has exactly <paramref name="keys"/> (Spark's parser matches on the exact, sorted key set).</summary>
    private static bool Keys(JsonElement obj, string path, string where, List<string> violations, params string[] keys)
    {
        var actual = obj.EnumerateObject().Select(p => p.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (actual.SequenceEqual(keys, StringComparer.Ordinal))
        {
            return true;
        }

        var missing = keys.Except(actual, StringComparer.Ordinal).ToList();
        var extra = actual.Except(keys, StringComparer.Ordinal).ToList();
        violations.Add($"{where}: {path} must have exactly the keys {string.Join(", ", keys)}" +
            (missing.Count > 0 ? $"; it lacks {string.Join(", ", missing)}" : "") +
            (extra.Count > 0 ? $"; it also has {string.Join(", ", extra)}" : "") + " (Spark's schema parser rejects it).");
        return false;
    }

    private static void Boolean(JsonElement obj, string key, string path, string where, List<string> violations)
    {
        if (obj.GetProperty(key).ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            violations.Add($"{where}: {key} of {path} is {obj.GetProperty(key).GetRawText()}, not a boolean.");
        }
    }

    [GeneratedRegex(@"^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$")]
    private static partial Regex Decimal();
}

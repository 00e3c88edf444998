using System.Text.Json;

namespace Tributary.Testing;

/// <summary>Reads a Delta schema string (Spark's JSON <c>StructType</c>) into its top-level fields.</summary>
public static class DeltaSchema
{
    /// <summary>The top-level fields of <paramref name="schemaString"/>, in order.</summary>
    /// <exception cref="InvalidDataException">It is not a JSON struct type whose fields have a name, a type and a nullability.</exception>
    public static IReadOnlyList<DeltaField> Parse(string schemaString)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(schemaString);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the schema string is not JSON: {ex.Message}", ex);
        }

        return Fields(root, "schema");
    }

    /// <summary>The fields of a struct type's JSON.</summary>
    public static IReadOnlyList<DeltaField> Fields(JsonElement structType, string where)
    {
        if (structType.ValueKind != JsonValueKind.Object || !structType.TryGetProperty("type", out var type) ||
            type.ValueKind != JsonValueKind.String || type.GetString() != "struct" ||
            !structType.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{where} is not a struct type ({{\"type\":\"struct\",\"fields\":[…]}}): {Shorten(structType.GetRawText())}");
        }

        var result = new List<DeltaField>();
        foreach (var field in fields.EnumerateArray())
        {
            if (field.ValueKind != JsonValueKind.Object ||
                !field.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String ||
                !field.TryGetProperty("type", out var fieldType) || fieldType.ValueKind is not (JsonValueKind.String or JsonValueKind.Object) ||
                !field.TryGetProperty("nullable", out var nullable) || nullable.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new InvalidDataException($"a field of {where} lacks a string name, a type or a boolean nullable: {Shorten(field.GetRawText())}");
            }

            var metadata = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (field.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in meta.EnumerateObject())
                {
                    metadata[entry.Name] = entry.Value.Clone();
                }
            }

            result.Add(new DeltaField(
                name.GetString()!,
                fieldType.ValueKind == JsonValueKind.String ? fieldType.GetString()! : fieldType.GetRawText(),
                nullable.GetBoolean(),
                metadata));
        }

        return result;
    }

    /// <summary>Whether a type (a primitive name, or a nested type's JSON) is or contains <paramref name="primitive"/>.</summary>
    public static bool Contains(string type, string primitive)
    {
        if (!type.StartsWith('{'))
        {
            return type == primitive;
        }

        using var document = JsonDocument.Parse(type);
        return Contains(document.RootElement, primitive);
    }

    private static bool Contains(JsonElement type, string primitive) => type.ValueKind switch
    {
        JsonValueKind.String => type.GetString() == primitive,
        JsonValueKind.Object => type.EnumerateObject().Any(p =>
            p.Name is "elementType" or "keyType" or "valueType" or "type" && Contains(p.Value, primitive) ||
            p.Name == "fields" && p.Value.ValueKind == JsonValueKind.Array &&
            p.Value.EnumerateArray().Any(f => f.ValueKind == JsonValueKind.Object && f.TryGetProperty("type", out var t) && Contains(t, primitive))),
        _ => false,
    };

    internal static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

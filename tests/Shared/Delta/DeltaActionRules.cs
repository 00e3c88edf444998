using System.Text.Json;

namespace Tributary.Testing;

/// <summary>
/// The fields PROTOCOL.md gives each action ("Actions"): which are required, and the JSON shape each must have. A JSON null
/// stands for an absent field (checkpoints spell absent optional fields as null).
/// </summary>
internal static class DeltaActionRules
{
    /// <summary>The actions a JSON commit may hold.</summary>
    public static readonly IReadOnlySet<string> CommitActions = new HashSet<string>(StringComparer.Ordinal)
    {
        "add", "remove", "metaData", "protocol", "commitInfo", "txn", "cdc", "domainMetadata",
    };

    private enum Shape
    {
        String,
        Long,
        Int,
        Bool,
        StringMap,
        NullableStringMap,
        StringArray,
        Object,
    }

    private static readonly Dictionary<string, (string Name, Shape Shape, bool Required)[]> Fields = new(StringComparer.Ordinal)
    {
        ["add"] =
        [
            ("path", Shape.String, true), ("partitionValues", Shape.NullableStringMap, true), ("size", Shape.Long, true),
            ("modificationTime", Shape.Long, true), ("dataChange", Shape.Bool, true), ("stats", Shape.String, false),
            ("tags", Shape.NullableStringMap, false), ("deletionVector", Shape.Object, false), ("baseRowId", Shape.Long, false),
            ("defaultRowCommitVersion", Shape.Long, false), ("clusteringProvider", Shape.String, false),
        ],
        ["remove"] =
        [
            ("path", Shape.String, true), ("deletionTimestamp", Shape.Long, false), ("dataChange", Shape.Bool, true),
            ("extendedFileMetadata", Shape.Bool, false), ("partitionValues", Shape.NullableStringMap, false), ("size", Shape.Long, false),
            ("stats", Shape.String, false), ("tags", Shape.NullableStringMap, false), ("deletionVector", Shape.Object, false),
            ("baseRowId", Shape.Long, false), ("defaultRowCommitVersion", Shape.Long, false),
        ],
        ["metaData"] =
        [
            ("id", Shape.String, true), ("name", Shape.String, false), ("description", Shape.String, false), ("format", Shape.Object, true),
            ("schemaString", Shape.String, true), ("partitionColumns", Shape.StringArray, true), ("createdTime", Shape.Long, false),
            ("configuration", Shape.StringMap, true),
        ],
        ["protocol"] =
        [
            ("minReaderVersion", Shape.Int, true), ("minWriterVersion", Shape.Int, true),
            ("readerFeatures", Shape.StringArray, false), ("writerFeatures", Shape.StringArray, false),
        ],
        ["commitInfo"] = [],
        ["txn"] = [("appId", Shape.String, true), ("version", Shape.Long, true), ("lastUpdated", Shape.Long, false)],
        ["cdc"] =
        [
            ("path", Shape.String, true), ("partitionValues", Shape.NullableStringMap, true), ("size", Shape.Long, true),
            ("dataChange", Shape.Bool, true), ("tags", Shape.NullableStringMap, false),
        ],
        ["domainMetadata"] = [("domain", Shape.String, true), ("configuration", Shape.String, true), ("removed", Shape.Bool, true)],
    };

    /// <summary>Checks an action's body (the value of its one key) and adds a message per violation.</summary>
    public static void Check(string action, JsonElement body, string where, List<string> violations)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            violations.Add($"{where}: the {action} action is a JSON {body.ValueKind}, not an object.");
            return;
        }

        CheckDuplicateKeys(body, $"{where}: {action}", violations);
        if (!Fields.TryGetValue(action, out var fields))
        {
            return;
        }

        foreach (var (name, shape, required) in fields)
        {
            if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    violations.Add($"{where}: {action} lacks the required field '{name}'.");
                }

                continue;
            }

            if (!Fits(value, shape))
            {
                violations.Add($"{where}: {action}.{name} is {DeltaSchema.Shorten(value.GetRawText())}, not {Describe(shape)}.");
            }
        }

        if (action == "add" && body.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.String && path.GetString()!.Length == 0)
        {
            violations.Add($"{where}: add.path is empty.");
        }

        if (action == "add" && body.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var bytes) && bytes < 0)
        {
            violations.Add($"{where}: add.size is negative.");
        }

        if (action == "remove" && body.TryGetProperty("extendedFileMetadata", out var extended) && extended.ValueKind == JsonValueKind.True &&
            (DeltaReplay.Optional(body, "partitionValues") is null || DeltaReplay.Optional(body, "size") is null))
        {
            violations.Add($"{where}: remove has extendedFileMetadata true but lacks partitionValues or size.");
        }

        if (action == "metaData")
        {
            CheckMetadata(body, where, violations);
        }
    }

    private static void CheckMetadata(JsonElement body, string where, List<string> violations)
    {
        if (DeltaReplay.Optional(body, "format") is { ValueKind: JsonValueKind.Object } format)
        {
            if (DeltaReplay.Optional(format, "provider") is not { ValueKind: JsonValueKind.String })
            {
                violations.Add($"{where}: metaData.format lacks the string 'provider'.");
            }

            if (DeltaReplay.Optional(format, "options") is { } options && !Fits(options, Shape.StringMap))
            {
                violations.Add($"{where}: metaData.format.options is not a map of strings.");
            }
        }

        if (DeltaReplay.Optional(body, "id") is { ValueKind: JsonValueKind.String } id && !Guid.TryParse(id.GetString(), out _))
        {
            violations.Add($"{where}: metaData.id '{id.GetString()}' is not a GUID.");
        }
    }

    /// <summary>Adds a message for each key an object spells twice (JSON parsers disagree on which one wins).</summary>
    public static void CheckDuplicateKeys(JsonElement obj, string where, List<string> violations)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                violations.Add($"{where} has the key '{property.Name}' twice.");
            }
        }
    }

    private static bool Fits(JsonElement value, Shape shape) => shape switch
    {
        Shape.String => value.ValueKind == JsonValueKind.String,
        Shape.Long => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        Shape.Int => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        Shape.Bool => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        Shape.StringMap => value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String),
        Shape.NullableStringMap => value.ValueKind == JsonValueKind.Object &&
            value.EnumerateObject().All(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null),
        Shape.StringArray => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String),
        Shape.Object => value.ValueKind == JsonValueKind.Object,
        _ => false,
    };

    private static string Describe(Shape shape) => shape switch
    {
        Shape.String => "a string",
        Shape.Long => "a 64-bit integer",
        Shape.Int => "a 32-bit integer",
        Shape.Bool => "a boolean",
        Shape.StringMap => "a map of strings",
        Shape.NullableStringMap => "a map of strings (or nulls)",
        Shape.StringArray => "an array of strings",
        _ => "an object",
    };
}

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tributary.Testing;

/// <summary>
/// Action reconciliation (PROTOCOL.md "Action Reconciliation"): applies actions in log order and keeps the latest protocol
/// and metadata, and for each logical file (decoded path, deletion vector id) its newest add or remove. Unknown actions are
/// ignored, as the protocol asks of readers.
/// </summary>
internal sealed partial class DeltaReplay(string tableFolder)
{
    private readonly Dictionary<(string Path, string? Dv), DeltaAddFile> _adds = [];
    private readonly Dictionary<(string Path, string? Dv), DeltaRemoveFile> _removes = [];

    public DeltaProtocol? Protocol { get; private set; }

    public DeltaMetadata? Metadata { get; private set; }

    /// <summary>Applies one action, a JSON object of one key (<c>{"add":{…}}</c>); <paramref name="where"/> names it in errors.</summary>
    public void Apply(JsonElement action, long version, string where)
    {
        if (action.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: an action must be a JSON object, not {action.ValueKind}");
        }

        foreach (var property in action.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var at = $"{where} ({property.Name})";
            switch (property.Name)
            {
                case "add":
                    Add(property.Value, version, at);
                    break;
                case "remove":
                    Remove(property.Value, version, at);
                    break;
                case "metaData":
                    Metadata = ParseMetadata(property.Value, at);
                    break;
                case "protocol":
                    Protocol = ParseProtocol(property.Value, at);
                    break;
            }
        }
    }

    /// <summary>The reconciled state at <paramref name="version"/>.</summary>
    public DeltaSnapshot ToSnapshot(long version, long? checkpointVersion) => new(
        version,
        Protocol ?? throw new InvalidDataException($"{tableFolder}: no protocol action up to version {version}"),
        Metadata ?? throw new InvalidDataException($"{tableFolder}: no metaData action up to version {version}"),
        [.. _adds.Values.OrderBy(a => a.FullPath, StringComparer.Ordinal).ThenBy(a => a.DeletionVectorId, StringComparer.Ordinal)],
        [.. _removes.Values.OrderBy(r => r.FullPath, StringComparer.Ordinal)],
        checkpointVersion);

    /// <summary>The local path of a data file the log names by <paramref name="path"/> (a relative or <c>file:</c> URI).</summary>
    public static string Resolve(string tableFolder, string path, string where)
    {
        if (UriScheme().IsMatch(path))
        {
            return Uri.TryCreate(path, UriKind.Absolute, out var uri) && uri.IsFile
                ? uri.LocalPath
                : throw new InvalidDataException($"{where}: the path {path} is an absolute URI this reader cannot open (only file: URIs)");
        }

        return Path.GetFullPath(Path.Combine(tableFolder, Uri.UnescapeDataString(path)));
    }

    private void Add(JsonElement add, long version, string where)
    {
        var path = Text(add, "path", where);
        var full = Resolve(tableFolder, path, where);
        var stats = Optional(add, "stats") is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
        if (stats is null && Optional(add, "stats_parsed") is { ValueKind: JsonValueKind.Object } parsed)
        {
            stats = parsed.GetRawText();
        }

        DeltaFileStats? parsedStats = null;
        if (stats is not null)
        {
            try
            {
                parsedStats = DeltaFileStats.Parse(stats);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{where}: the stats of {path} are malformed: {ex.Message}", ex);
            }
        }

        var dv = DeletionVectorId(add);
        var file = new DeltaAddFile(
            path,
            full,
            StringMap(Optional(add, "partitionValues"), where + ".partitionValues"),
            Optional(add, "size") is { ValueKind: JsonValueKind.Number } size ? size.GetInt64() : 0,
            Optional(add, "modificationTime") is { ValueKind: JsonValueKind.Number } time ? time.GetInt64() : 0,
            Optional(add, "dataChange") is { ValueKind: JsonValueKind.True },
            stats,
            parsedStats,
            dv,
            version);
        _removes.Remove((full, dv));
        _adds[(full, dv)] = file;
    }

    private void Remove(JsonElement remove, long version, string where)
    {
        var path = Text(remove, "path", where);
        var full = Resolve(tableFolder, path, where);
        var dv = DeletionVectorId(remove);
        _adds.Remove((full, dv));
        _removes[(full, dv)] = new DeltaRemoveFile(
            path,
            full,
            Optional(remove, "deletionTimestamp") is { ValueKind: JsonValueKind.Number } at ? at.GetInt64() : null,
            Optional(remove, "dataChange") is { ValueKind: JsonValueKind.True },
            version);
    }

    private static DeltaMetadata ParseMetadata(JsonElement metadata, string where)
    {
        var schemaString = Text(metadata, "schemaString", where);
        IReadOnlyList<DeltaField> fields;
        try
        {
            fields = DeltaSchema.Parse(schemaString);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{where}: {ex.Message}", ex);
        }

        var provider = Optional(metadata, "format") is { ValueKind: JsonValueKind.Object } format &&
            Optional(format, "provider") is { ValueKind: JsonValueKind.String } p ? p.GetString()! : "parquet";
        var partitions = Optional(metadata, "partitionColumns") is { ValueKind: JsonValueKind.Array } columns
            ? [.. columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new InvalidDataException($"{where}: a partition column is not a string"))]
            : Array.Empty<string>();
        var configuration = StringMap(Optional(metadata, "configuration"), where + ".configuration")
            .ToDictionary(e => e.Key, e => e.Value ?? "", StringComparer.Ordinal);
        return new DeltaMetadata(
            Text(metadata, "id", where),
            provider,
            schemaString,
            fields,
            partitions,
            configuration,
            Optional(metadata, "createdTime") is { ValueKind: JsonValueKind.Number } created ? created.GetInt64() : null);
    }

    private static DeltaProtocol ParseProtocol(JsonElement protocol, string where)
    {
        static IReadOnlyList<string>? Features(JsonElement protocol, string name, string where) =>
            Optional(protocol, name) is { ValueKind: JsonValueKind.Array } list
                ? [.. list.EnumerateArray().Select(f => f.ValueKind == JsonValueKind.String ? f.GetString()! : throw new InvalidDataException($"{where}: {name} holds a non-string"))]
                : null;

        return new DeltaProtocol(
            Integer(protocol, "minReaderVersion", where),
            Integer(protocol, "minWriterVersion", where),
            Features(protocol, "readerFeatures", where),
            Features(protocol, "writerFeatures", where));
    }

    private static string? DeletionVectorId(JsonElement file)
    {
        if (Optional(file, "deletionVector") is not { ValueKind: JsonValueKind.Object } dv)
        {
            return null;
        }

        var offset = Optional(dv, "offset") is { ValueKind: JsonValueKind.Number } o ? "@" + o.GetRawText() : "";
        return (Optional(dv, "storageType")?.GetString() ?? "") + (Optional(dv, "pathOrInlineDv")?.GetString() ?? "") + offset;
    }

    internal static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string Text(JsonElement obj, string name, string where) =>
        Optional(obj, name) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : throw new InvalidDataException($"{where}: the required string field '{name}' is missing or not a string");

    private static int Integer(JsonElement obj, string name, string where) =>
        Optional(obj, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number)
            ? number
            : throw new InvalidDataException($"{where}: the required integer field '{name}' is missing or not an integer");

    private static Dictionary<string, string?> StringMap(JsonElement? map, string where)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (map is not { ValueKind: JsonValueKind.Object } obj)
        {
            return result;
        }

        foreach (var entry in obj.EnumerateObject())
        {
            result[entry.Name] = entry.Value.ValueKind switch
            {
                JsonValueKind.String => entry.Value.GetString(),
                JsonValueKind.Null => null,
                _ => throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"{where}: the value of '{entry.Name}' is a JSON {entry.Value.ValueKind}, not a string")),
            };
        }

        return result;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:")]
    private static partial Regex UriScheme();
}

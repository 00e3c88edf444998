using System.Text.Json;

namespace Tributary.Testing;

/// <summary>A Delta table's state at one version, as a replay of its <c>_delta_log</c> gives it.</summary>
/// <param name="Version">The table version replayed to.</param>
/// <param name="Protocol">The latest <c>protocol</c> action.</param>
/// <param name="Metadata">The latest <c>metaData</c> action.</param>
/// <param name="Files">The active files (added and not removed since), ordered by path.</param>
/// <param name="Tombstones">The reconciled <c>remove</c> actions that no later <c>add</c> cancelled, ordered by path.</param>
/// <param name="CheckpointVersion">The version of the checkpoint the replay started from, or <see langword="null"/> when it read JSON commits only.</param>
public sealed record DeltaSnapshot(
    long Version,
    DeltaProtocol Protocol,
    DeltaMetadata Metadata,
    IReadOnlyList<DeltaAddFile> Files,
    IReadOnlyList<DeltaRemoveFile> Tombstones,
    long? CheckpointVersion);

/// <summary>A <c>protocol</c> action.</summary>
public sealed record DeltaProtocol(int MinReaderVersion, int MinWriterVersion, IReadOnlyList<string>? ReaderFeatures, IReadOnlyList<string>? WriterFeatures);

/// <summary>A <c>metaData</c> action, its schema string parsed.</summary>
/// <param name="Id">The table's unique id.</param>
/// <param name="FormatProvider">The data files' format (<c>parquet</c>).</param>
/// <param name="SchemaString">The schema, as the log spells it.</param>
/// <param name="Fields">The schema's top-level fields in order.</param>
/// <param name="PartitionColumns">The partition columns.</param>
/// <param name="Configuration">The table properties.</param>
/// <param name="CreatedTime">When the metadata was created (ms since the epoch), if given.</param>
public sealed record DeltaMetadata(
    string Id,
    string FormatProvider,
    string SchemaString,
    IReadOnlyList<DeltaField> Fields,
    IReadOnlyList<string> PartitionColumns,
    IReadOnlyDictionary<string, string> Configuration,
    long? CreatedTime);

/// <summary>A field of a Delta schema.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">A primitive type name (<c>long</c>, <c>decimal(15,2)</c>, <c>timestamp_ntz</c>…), or the compact JSON of a struct, array or map type.</param>
/// <param name="Nullable">Whether the column accepts NULL.</param>
/// <param name="Metadata">The field's metadata map.</param>
public sealed record DeltaField(string Name, string Type, bool Nullable, IReadOnlyDictionary<string, JsonElement> Metadata)
{
    /// <summary>The field metadata <c>"comment"</c>, or <see langword="null"/>.</summary>
    public string? Comment => Metadata.TryGetValue("comment", out var comment) && comment.ValueKind == JsonValueKind.String ? comment.GetString() : null;
}

/// <summary>An active <c>add</c> action.</summary>
/// <param name="Path">The path as the log spells it (a URI, relative to the table or absolute).</param>
/// <param name="FullPath">The decoded local path of the data file.</param>
/// <param name="PartitionValues">The partition values (serialized as strings; null or empty for NULL).</param>
/// <param name="Size">The size in bytes the log records.</param>
/// <param name="ModificationTime">The modification time (ms since the epoch) the log records.</param>
/// <param name="DataChange">The action's <c>dataChange</c>.</param>
/// <param name="StatsJson">The <c>stats</c> string, or <see langword="null"/>.</param>
/// <param name="Stats">The parsed statistics, or <see langword="null"/>.</param>
/// <param name="DeletionVectorId">The deletion vector's unique id, or <see langword="null"/>.</param>
/// <param name="Version">The version whose action made this file what it is (the checkpoint's version for a file read from one).</param>
public sealed record DeltaAddFile(
    string Path,
    string FullPath,
    IReadOnlyDictionary<string, string?> PartitionValues,
    long Size,
    long ModificationTime,
    bool DataChange,
    string? StatsJson,
    DeltaFileStats? Stats,
    string? DeletionVectorId,
    long Version);

/// <summary>A reconciled <c>remove</c> action (a tombstone).</summary>
public sealed record DeltaRemoveFile(string Path, string FullPath, long? DeletionTimestamp, bool DataChange, long Version);

/// <summary>The per-file statistics of an <c>add</c> (<c>numRecords</c>, <c>minValues</c>, <c>maxValues</c>, <c>nullCount</c>).</summary>
/// <param name="NumRecords">The row count, if recorded.</param>
/// <param name="MinValues">The <c>minValues</c> object, if recorded.</param>
/// <param name="MaxValues">The <c>maxValues</c> object, if recorded.</param>
/// <param name="NullCount">The <c>nullCount</c> object, if recorded.</param>
/// <param name="TightBounds">The <c>tightBounds</c> flag, if recorded (absent means tight).</param>
public sealed record DeltaFileStats(long? NumRecords, JsonElement? MinValues, JsonElement? MaxValues, JsonElement? NullCount, bool? TightBounds)
{
    /// <summary>Parses a <c>stats</c> string.</summary>
    /// <exception cref="InvalidDataException">It is not a JSON object with the statistics' shapes.</exception>
    public static DeltaFileStats Parse(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"stats are not JSON: {ex.Message}", ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"stats are a JSON {root.ValueKind}, not an object");
        }

        long? numRecords = null;
        if (root.TryGetProperty("numRecords", out var n) && n.ValueKind != JsonValueKind.Null)
        {
            numRecords = n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out var count) && count >= 0
                ? count
                : throw new InvalidDataException($"stats.numRecords is {n.GetRawText()}, not a non-negative integer");
        }

        bool? tight = null;
        if (root.TryGetProperty("tightBounds", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            tight = t.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? t.GetBoolean()
                : throw new InvalidDataException($"stats.tightBounds is {t.GetRawText()}, not a boolean");
        }

        return new DeltaFileStats(numRecords, Object(root, "minValues"), Object(root, "maxValues"), Object(root, "nullCount"), tight);
    }

    private static JsonElement? Object(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Object ? value
        : throw new InvalidDataException($"stats.{name} is a JSON {value.ValueKind}, not an object");
}

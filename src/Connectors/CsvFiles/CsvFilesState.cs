using System.Text.Json.Serialization;

namespace Tributary.Connectors.CsvFiles;

/// <summary>
/// What is loaded: per file key, the version (ETag) whose rows the tables hold, with the keys of those rows and of their
/// rejects, so that a new version can remove what it no longer has. A file is written here only by the checkpoint that
/// follows its last row; a sync stopped inside a file leaves its previous entry, and the next sync loads it again.
/// </summary>
internal sealed class CsvFilesState
{
    [JsonPropertyName("files")]
    public SortedDictionary<string, LoadedFile> Files { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One file as loaded.</summary>
internal sealed class LoadedFile
{
    /// <summary>The ETag of the version last read: not read again while the store reports the same one.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>The <c>int_value</c> of each row of this file in <c>data</c>.</summary>
    [JsonPropertyName("keys")]
    public List<int> Keys { get; init; } = [];

    /// <summary>The (line, field) of each row of this file in <c>rejects</c>.</summary>
    [JsonPropertyName("rejects")]
    public List<RejectKey> Rejects { get; init; } = [];
}

/// <summary>The primary key of a reject, less the file.</summary>
internal sealed record RejectKey(
    [property: JsonPropertyName("line")] long Line,
    [property: JsonPropertyName("field")] string Field);

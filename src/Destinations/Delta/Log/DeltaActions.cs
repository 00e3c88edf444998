namespace Tributary.Destinations.Delta.Log;

/// <summary>The <c>protocol</c> action: the reader and writer versions (and, at 3 and 7, the table features) a client needs.</summary>
/// <param name="MinReaderVersion"><c>minReaderVersion</c>.</param>
/// <param name="MinWriterVersion"><c>minWriterVersion</c>.</param>
/// <param name="ReaderFeatures"><c>readerFeatures</c>, only with reader version 3.</param>
/// <param name="WriterFeatures"><c>writerFeatures</c>, only with writer version 7.</param>
internal sealed record DeltaProtocol(
    int MinReaderVersion,
    int MinWriterVersion,
    IReadOnlyList<string>? ReaderFeatures = null,
    IReadOnlyList<string>? WriterFeatures = null);

/// <summary>The <c>metaData</c> action (format always <c>parquet</c> with no options).</summary>
/// <param name="Id"><c>id</c>: the table's GUID.</param>
/// <param name="SchemaString"><c>schemaString</c>: the table's schema as Delta's JSON struct type.</param>
/// <param name="PartitionColumns"><c>partitionColumns</c>.</param>
/// <param name="Configuration"><c>configuration</c>, e.g. <c>tributary.primaryKey</c>.</param>
/// <param name="CreatedTime"><c>createdTime</c>, milliseconds since the Unix epoch.</param>
internal sealed record DeltaMetadata(
    string Id,
    string SchemaString,
    IReadOnlyList<string> PartitionColumns,
    IReadOnlyDictionary<string, string> Configuration,
    long? CreatedTime);

/// <summary>The <c>add</c> action: a data file joins the table (<c>partitionValues</c> is always written empty).</summary>
/// <param name="Path"><c>path</c>: relative to the table root, URL-encoded as the protocol's RFC 2396 URI.</param>
/// <param name="Size"><c>size</c> in bytes.</param>
/// <param name="ModificationTime"><c>modificationTime</c>, milliseconds since the Unix epoch.</param>
/// <param name="DataChange"><c>dataChange</c>: false when the commit only rearranges rows.</param>
/// <param name="Stats"><c>stats</c>: the statistics JSON, as a string.</param>
internal sealed record AddFile(string Path, long Size, long ModificationTime, bool DataChange, string? Stats);

/// <summary>The <c>remove</c> action: a data file leaves the table and stays as a tombstone until vacuum's retention.</summary>
/// <param name="Path"><c>path</c>, as its <c>add</c> wrote it.</param>
/// <param name="DeletionTimestamp"><c>deletionTimestamp</c>, milliseconds since the Unix epoch.</param>
/// <param name="DataChange"><c>dataChange</c>.</param>
/// <param name="Size"><c>size</c> in bytes, when known.</param>
internal sealed record RemoveFile(string Path, long DeletionTimestamp, bool DataChange, long? Size = null);

/// <summary>What one commit writes after its <c>commitInfo</c>.</summary>
/// <param name="Operation">The <c>commitInfo</c> operation, e.g. <c>WRITE</c>, <c>MERGE</c>, <c>CREATE TABLE</c>.</param>
/// <param name="Protocol">A new protocol; required at version 0.</param>
/// <param name="Metadata">New metadata (replacing the table's); required at version 0.</param>
/// <param name="Adds">Files added.</param>
/// <param name="Removes">Files removed.</param>
internal sealed record DeltaCommit(
    string Operation,
    DeltaProtocol? Protocol,
    DeltaMetadata? Metadata,
    IReadOnlyList<AddFile> Adds,
    IReadOnlyList<RemoveFile> Removes);

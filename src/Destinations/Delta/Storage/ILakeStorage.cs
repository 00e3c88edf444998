namespace Tributary.Destinations.Delta.Storage;

/// <summary>
/// The files of a lake: a local folder or a blob container. Paths are '/'-separated and relative to the lake root
/// (<c>conn/items/_delta_log/00000000000000000000.json</c>); a folder prefix is a path with or without its trailing
/// '/', and "" is the whole lake.
/// </summary>
internal interface ILakeStorage
{
    /// <summary>
    /// Creates the file only if it does not exist, atomically: a reader never sees a partial file and of two racing
    /// creators exactly one succeeds (a folder: written to a temp file, then linked to its name; a container: an upload
    /// with <c>If-None-Match: *</c>).
    /// </summary>
    /// <returns>False when the file already exists.</returns>
    Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the file, atomically (e.g. <c>_last_checkpoint</c>).</summary>
    Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Copies a local file (a data file DuckDB wrote) to <paramref name="path"/>, replacing what is there.</summary>
    Task UploadFileAsync(string path, string localFile, CancellationToken cancellationToken);

    /// <summary>Copies the file at <paramref name="path"/> to <paramref name="localFile"/>, replacing what is there.</summary>
    /// <exception cref="FileNotFoundException">The lake has no file at <paramref name="path"/>.</exception>
    Task DownloadFileAsync(string path, string localFile, CancellationToken cancellationToken);

    /// <summary>The file's content, or null when it does not exist.</summary>
    Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Every file under the folder <paramref name="prefix"/>, recursively, in no particular order.</summary>
    IAsyncEnumerable<LakeFile> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// The names of the folders directly under the folder <paramref name="prefix"/> (one level, no files, no '/'), in no
    /// particular order: what a schema's tables are found by, without listing their files.
    /// </summary>
    IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the file; nothing happens when it does not exist.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Deletes every file under the folder <paramref name="prefix"/> (a whole table or schema).</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// A local path DuckDB can read the file at: the file itself in a folder; a downloaded temp copy for a container,
    /// which the caller may delete when done (the storage deletes the copies left when it is disposed).
    /// </summary>
    Task<string> LocalPathAsync(string path, CancellationToken cancellationToken);
}

using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Tributary.Destinations.Delta.Storage;

/// <summary>
/// A lake in a blob container, through the Blob API only (Azurite has no DFS endpoint; ADLS Gen2 accounts with a
/// hierarchical namespace answer it too). An exclusive create is an upload with <c>If-None-Match: *</c>: the service
/// refuses it with 409 or 412 when the blob exists, so of two racing writers exactly one wins. Temp copies made for
/// DuckDB are deleted when the storage is disposed.
/// </summary>
internal sealed class BlobLakeStorage : ILakeStorage, IDisposable
{
    /// <summary>The metadata ADLS Gen2 puts on the placeholder blob of a directory when listed through the Blob API.</summary>
    private const string FolderMarker = "hdi_isfolder";

    private readonly BlobContainerClient _container;
    private readonly Lazy<string> _tempFolder = new(() => Directory.CreateTempSubdirectory("tributary-lake-").FullName);

    /// <summary>A lake at the root of <paramref name="container"/>, which must exist.</summary>
    public BlobLakeStorage(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(path).UploadAsync(
                BinaryData.FromBytes(content),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        await Blob(path).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);

    /// <inheritdoc />
    public async Task UploadFileAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(localFile);
        await Blob(path).UploadAsync(localFile, new BlobUploadOptions(), cancellationToken);
    }

    /// <inheritdoc />
    public async Task DownloadFileAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(localFile);
        try
        {
            await Blob(path).DownloadToAsync(localFile, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            File.Delete(localFile);
            throw new FileNotFoundException($"The container {_container.Name} has no blob '{path}'.", path, ex);
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Blob(path).DownloadContentAsync(cancellationToken);
            return response.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LakeFile> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = LakePaths.Folder(prefix);
        await foreach (var blob in _container.GetBlobsAsync(
            BlobTraits.Metadata, BlobStates.None, folder.Length == 0 ? null : folder, cancellationToken))
        {
            if (IsFolder(blob))
            {
                continue;
            }

            yield return new LakeFile(
                blob.Name,
                blob.Properties.ContentLength ?? 0,
                blob.Properties.LastModified ?? blob.Properties.CreatedOn ?? DateTimeOffset.MinValue);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = LakePaths.Folder(prefix);
        await foreach (var item in _container.GetBlobsByHierarchyAsync(
            BlobTraits.None, BlobStates.None, "/", folder.Length == 0 ? null : folder, cancellationToken))
        {
            // Files, and the placeholder blobs of ADLS Gen2 directories, are blobs; each folder is one prefix ending in '/'.
            if (item.IsPrefix)
            {
                yield return item.Prefix[folder.Length..].TrimEnd('/');
            }
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        await Blob(path).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);

    /// <inheritdoc />
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var folder = LakePaths.Folder(prefix);
        if (folder.Length == 0)
        {
            throw new ArgumentException("Deleting the whole lake is refused: name a schema or table folder.", nameof(prefix));
        }

        var folders = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, folder, cancellationToken))
        {
            if (IsFolder(blob))
            {
                folders.Add(blob.Name);
                continue;
            }

            await _container.GetBlobClient(blob.Name)
                .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, cancellationToken);
        }

        // With a hierarchical namespace the directories remain, each a placeholder blob: the deepest go first, then the
        // folder itself, so none is refused as not empty.
        folders.Add(folder.TrimEnd('/'));
        foreach (var name in folders.OrderByDescending(name => name.Count(c => c == '/')).ThenByDescending(name => name, StringComparer.Ordinal))
        {
            try
            {
                await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.None, conditions: null, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.Conflict)
            {
                // A writer added a file meanwhile; the directory stays, which is harmless.
            }
        }
    }

    /// <inheritdoc />
    public async Task<string> LocalPathAsync(string path, CancellationToken cancellationToken)
    {
        var local = Path.Combine(_tempFolder.Value, $"{Guid.NewGuid():N}{Path.GetExtension(path)}");
        await DownloadFileAsync(path, local, cancellationToken);
        return local;
    }

    /// <summary>Deletes the temp copies <see cref="LocalPathAsync"/> left.</summary>
    public void Dispose()
    {
        if (_tempFolder.IsValueCreated)
        {
            try
            {
                Directory.Delete(_tempFolder.Value, recursive: true);
            }
            catch (IOException)
            {
                // A copy still open; the temp folder is the system's to clean.
            }
        }
    }

    private BlobClient Blob(string path)
    {
        LakePaths.ValidateFile(path);
        return _container.GetBlobClient(path);
    }

    private static bool IsFolder(BlobItem blob) =>
        blob.Metadata is { } metadata && metadata.TryGetValue(FolderMarker, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}

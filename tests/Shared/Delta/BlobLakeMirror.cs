using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Tributary.Testing;

/// <summary>
/// A local copy of a blob container, kept in a temporary folder: each <see cref="SyncAsync"/> lists the container,
/// downloads the blobs that are new or whose ETag changed, and deletes the local files of blobs that are gone.
/// ADLS Gen2 directory placeholders (metadata <c>hdi_isfolder</c>) are skipped.
/// </summary>
internal sealed class BlobLakeMirror(BlobContainerClient container) : IDisposable
{
    private readonly Dictionary<string, ETag> _copied = new(StringComparer.Ordinal);

    /// <summary>The local folder that mirrors the container's root.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("tributary-delta-mirror-").FullName;

    /// <summary>Brings the local copy up to date with the container.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        if (await container.ExistsAsync(cancellationToken))
        {
            await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken))
            {
                if (blob.Metadata.TryGetValue("hdi_isfolder", out var folder) && string.Equals(folder, "true", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                listed.Add(blob.Name);
                if (blob.Properties.ETag is { } etag && _copied.TryGetValue(blob.Name, out var had) && had == etag)
                {
                    continue;
                }

                var local = LocalPath(blob.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                try
                {
                    var download = await container.GetBlobClient(blob.Name).DownloadToAsync(local, cancellationToken);
                    _copied[blob.Name] = download.Headers.ETag ?? blob.Properties.ETag ?? default;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Deleted between the listing and the download: it is gone.
                    listed.Remove(blob.Name);
                }
            }
        }

        foreach (var gone in _copied.Keys.Where(name => !listed.Contains(name)).ToList())
        {
            File.Delete(LocalPath(gone));
            _copied.Remove(gone);
        }

        foreach (var stray in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
            .Where(f => !listed.Contains(Path.GetRelativePath(Folder, f).Replace(Path.DirectorySeparatorChar, '/'))).ToList())
        {
            File.Delete(stray);
        }

        RemoveEmptyFolders(Folder);
    }

    /// <summary>Deletes the local copy.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private string LocalPath(string blobName)
    {
        var segments = blobName.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
        {
            throw new InvalidDataException($"The blob name '{blobName}' has an empty, '.' or '..' segment: it cannot be mirrored into a folder.");
        }

        return Path.Combine([Folder, .. segments]);
    }

    private static void RemoveEmptyFolders(string folder)
    {
        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            RemoveEmptyFolders(child);
            if (!Directory.EnumerateFileSystemEntries(child).Any())
            {
                Directory.Delete(child);
            }
        }
    }
}

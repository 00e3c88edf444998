using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// A lake's storage that runs <see cref="BeforeCommit"/> once, just before the next commit file is created: another writer
/// can take that version first, deterministically. It counts the requests that read the lake.
/// </summary>
internal sealed class InterposingStorage(ILakeStorage inner) : DelegatingLakeStorage(inner)
{
    private int _reads;
    private int _downloads;
    private int _listings;
    private int _listed;

    /// <summary>Files read whole (<see cref="ReadAsync"/>), found or not.</summary>
    public int Reads => _reads;

    /// <summary>Files copied out (<see cref="DownloadFileAsync"/>, <see cref="LocalPathAsync"/>): checkpoints and data files.</summary>
    public int Downloads => _downloads;

    /// <summary>Listings (of files or of folders).</summary>
    public int Listings => _listings;

    /// <summary>Entries the listings returned.</summary>
    public int Listed => _listed;

    /// <summary>Every read request: reads, downloads and listings.</summary>
    public int Requests => Reads + Downloads + Listings;

    /// <summary>The paths read, downloaded or listed, in order (a listing as "list:" and its prefix).</summary>
    public ConcurrentQueue<string> Requested { get; } = new();

    public void ResetCounts()
    {
        _reads = _downloads = _listings = _listed = 0;
        Requested.Clear();
    }

    /// <summary>Runs once, before the next <c>_delta_log/*.json</c> is created, then is cleared.</summary>
    public Func<Task>? BeforeCommit { get; set; }

    public override async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (path.Contains("/_delta_log/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal) && BeforeCommit is { } interpose)
        {
            BeforeCommit = null;
            await interpose();
        }

        return await Inner.TryCreateAsync(path, content, cancellationToken);
    }

    public override Task DownloadFileAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _downloads);
        Requested.Enqueue(path);
        return Inner.DownloadFileAsync(path, localFile, cancellationToken);
    }

    public override Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        Requested.Enqueue(path);
        return Inner.ReadAsync(path, cancellationToken);
    }

    public override async IAsyncEnumerable<LakeFile> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listings);
        Requested.Enqueue("list:" + prefix);
        await foreach (var file in Inner.ListAsync(prefix, cancellationToken))
        {
            Interlocked.Increment(ref _listed);
            yield return file;
        }
    }

    public override async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listings);
        Requested.Enqueue("folders:" + prefix);
        await foreach (var folder in Inner.ListFoldersAsync(prefix, cancellationToken))
        {
            Interlocked.Increment(ref _listed);
            yield return folder;
        }
    }

    public override Task<string> LocalPathAsync(string path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _downloads);
        Requested.Enqueue(path);
        return Inner.LocalPathAsync(path, cancellationToken);
    }
}

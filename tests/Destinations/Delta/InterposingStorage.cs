using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// A lake's storage that runs <see cref="BeforeCommit"/> once, just before the next commit file is created: another writer
/// can take that version first, deterministically.
/// </summary>
internal sealed class InterposingStorage(ILakeStorage inner) : ILakeStorage
{
    /// <summary>Runs once, before the next <c>_delta_log/*.json</c> is created, then is cleared.</summary>
    public Func<Task>? BeforeCommit { get; set; }

    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (path.Contains("/_delta_log/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal) && BeforeCommit is { } interpose)
        {
            BeforeCommit = null;
            await interpose();
        }

        return await inner.TryCreateAsync(path, content, cancellationToken);
    }

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.WriteAsync(path, content, cancellationToken);

    public Task UploadFileAsync(string path, string localFile, CancellationToken cancellationToken) => inner.UploadFileAsync(path, localFile, cancellationToken);

    public Task DownloadFileAsync(string path, string localFile, CancellationToken cancellationToken) => inner.DownloadFileAsync(path, localFile, cancellationToken);

    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => inner.ReadAsync(path, cancellationToken);

    public IAsyncEnumerable<LakeFile> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => inner.DeletePrefixAsync(prefix, cancellationToken);

    public Task<string> LocalPathAsync(string path, CancellationToken cancellationToken) => inner.LocalPathAsync(path, cancellationToken);
}

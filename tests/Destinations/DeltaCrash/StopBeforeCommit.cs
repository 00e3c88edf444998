using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Crash;

/// <summary>A lake folder that, before its <paramref name="commit"/>th log version is created, says "ready" and never returns.</summary>
internal sealed class StopBeforeCommit(ILakeStorage inner, int commit) : ILakeStorage
{
    private int _commits;

    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (path.Contains("/_delta_log/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal) && ++_commits == commit)
        {
            await Console.Out.WriteLineAsync("ready");
            await Console.Out.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }

        return await inner.TryCreateAsync(path, content, cancellationToken);
    }

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.WriteAsync(path, content, cancellationToken);

    public Task UploadFileAsync(string path, string localFile, CancellationToken cancellationToken) => inner.UploadFileAsync(path, localFile, cancellationToken);

    public Task DownloadFileAsync(string path, string localFile, CancellationToken cancellationToken) => inner.DownloadFileAsync(path, localFile, cancellationToken);

    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => inner.ReadAsync(path, cancellationToken);

    public IAsyncEnumerable<LakeFile> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken) => inner.ListFoldersAsync(prefix, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => inner.DeletePrefixAsync(prefix, cancellationToken);

    public Task<string> LocalPathAsync(string path, CancellationToken cancellationToken) => inner.LocalPathAsync(path, cancellationToken);
}

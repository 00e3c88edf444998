using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// A lake's storage that passes every call on to <see cref="Inner"/>: a test's decorator overrides only the calls it
/// watches or changes. Also compiled into the Delta crash child.
/// </summary>
internal abstract class DelegatingLakeStorage(ILakeStorage inner) : ILakeStorage
{
    protected ILakeStorage Inner { get; } = inner;

    public virtual Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        Inner.TryCreateAsync(path, content, cancellationToken);

    public virtual Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        Inner.WriteAsync(path, content, cancellationToken);

    public virtual Task UploadFileAsync(string path, string localFile, CancellationToken cancellationToken) =>
        Inner.UploadFileAsync(path, localFile, cancellationToken);

    public virtual Task DownloadFileAsync(string path, string localFile, CancellationToken cancellationToken) =>
        Inner.DownloadFileAsync(path, localFile, cancellationToken);

    public virtual Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => Inner.ReadAsync(path, cancellationToken);

    public virtual IAsyncEnumerable<LakeFile> ListAsync(string prefix, CancellationToken cancellationToken) => Inner.ListAsync(prefix, cancellationToken);

    public virtual IAsyncEnumerable<string> ListFoldersAsync(string prefix, CancellationToken cancellationToken) =>
        Inner.ListFoldersAsync(prefix, cancellationToken);

    public virtual Task DeleteAsync(string path, CancellationToken cancellationToken) => Inner.DeleteAsync(path, cancellationToken);

    public virtual Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => Inner.DeletePrefixAsync(prefix, cancellationToken);

    public virtual Task<string> LocalPathAsync(string path, CancellationToken cancellationToken) => Inner.LocalPathAsync(path, cancellationToken);
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tributary.Destinations.Delta.Storage;

/// <summary>
/// A lake in a local folder. Every write goes to a temp file beside its target (<c>.name.guid.tmp</c>) and is then
/// moved into place, so a reader never sees a partial file. An exclusive create must be atomic: of two racing writers
/// exactly one wins. .NET's <see cref="File.Move(string, string, bool)"/> without overwrite checks for the target and
/// then renames on Unix, so two writers can both pass the check; on Unix the temp file is instead hard-linked to its
/// name (<c>link(2)</c>, which fails with EEXIST when the name exists), and on Windows moved (MoveFileEx without
/// REPLACE_EXISTING, which is atomic).
/// </summary>
internal sealed partial class FolderLakeStorage : ILakeStorage
{
    private const int FileExistsErrno = 17; // EEXIST, on Linux and macOS alike

    private readonly string _root;

    /// <summary>A lake rooted at <paramref name="root"/>, created if missing.</summary>
    public FolderLakeStorage(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <summary>The absolute path of the lake root.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        if (File.Exists(target))
        {
            return false;
        }

        var temp = await WriteTempAsync(target, content, cancellationToken);
        try
        {
            return CreateExclusive(temp, target);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static bool CreateExclusive(string temp, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }

        if (Link(temp, target) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == FileExistsErrno
            ? false
            : throw new IOException($"Could not create '{target}': link(2) failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);

    /// <inheritdoc />
    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        var temp = await WriteTempAsync(target, content, cancellationToken);
        MoveReplacing(temp, target);
    }

    /// <inheritdoc />
    public async Task UploadFileAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(localFile);
        var target = FullPath(path);
        var temp = TempBeside(target);
        try
        {
            await using (var source = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await source.CopyToAsync(destination, cancellationToken);
            }

            MoveReplacing(temp, target);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <inheritdoc />
    public async Task DownloadFileAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(localFile);
        var source = FullPath(path);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"The lake at {_root} has no file '{path}'.", source);
        }

        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var output = new FileStream(localFile, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await input.CopyToAsync(output, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var source = FullPath(path);
        try
        {
            return await File.ReadAllBytesAsync(source, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LakeFile> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = LakePaths.Folder(prefix);
        var directory = folder.Length == 0 ? _root : Path.Combine(_root, folder.TrimEnd('/'));
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        var files = new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = false,
            AttributesToSkip = FileAttributes.None,
        });
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LakeFile entry;
            try
            {
                entry = new LakeFile(
                    Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/'),
                    file.Length,
                    new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
            }
            catch (FileNotFoundException)
            {
                // Deleted between the listing and its attributes.
                continue;
            }

            yield return entry;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListFoldersAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = LakePaths.Folder(prefix);
        var directory = folder.Length == 0 ? _root : Path.Combine(_root, folder.TrimEnd('/'));
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var child in new DirectoryInfo(directory).EnumerateDirectories())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return child.Name;
        }

        await Task.CompletedTask;
    }

    /// <summary>Whether <paramref name="name"/> is a temp file this storage writes before moving it into place (<c>.name.guid.tmp</c>).</summary>
    public static bool IsTempFile(string name) => name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal);

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        try
        {
            File.Delete(target);
        }
        catch (DirectoryNotFoundException)
        {
            // Absent: nothing to do.
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var folder = LakePaths.Folder(prefix);
        if (folder.Length == 0)
        {
            throw new ArgumentException("Deleting the whole lake is refused: name a schema or table folder.", nameof(prefix));
        }

        var directory = Path.Combine(_root, folder.TrimEnd('/'));
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Absent: nothing to do.
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string> LocalPathAsync(string path, CancellationToken cancellationToken) => Task.FromResult(FullPath(path));

    private string FullPath(string path)
    {
        LakePaths.ValidateFile(path);
        return Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));
    }

    private static string TempBeside(string target)
    {
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
    }

    private static async Task<string> WriteTempAsync(string target, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = TempBeside(target);
        try
        {
            await using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
            await stream.WriteAsync(content, cancellationToken);
            // On disk before the name appears: a log entry must survive a power cut once it is visible.
            stream.Flush(flushToDisk: true);
            return temp;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void MoveReplacing(string temp, string target)
    {
        try
        {
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}

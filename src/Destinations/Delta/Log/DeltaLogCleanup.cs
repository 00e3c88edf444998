using System.Globalization;
using System.Text.RegularExpressions;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// The protocol's metadata cleanup of one table's <c>_delta_log</c> (PROTOCOL.md, "Metadata Cleanup"): the cut-off is midnight
/// UTC of the day the table's log retention (<c>delta.logRetentionDuration</c>, 30 days by default) reaches back to; the
/// newest commit not newer than it is the cut-off commit; the newest readable checkpoint not after that commit is kept with
/// everything after it, and the commits, checkpoints, checksums and compacted files before it are deleted, the oldest
/// first, so a cleanup stopped halfway leaves a log that still replays from that checkpoint. Also deletes the temp files a
/// folder write that died left in the log (<c>.name.guid.tmp</c>) once they are older than a given age.
/// </summary>
internal static partial class DeltaLogCleanup
{
    /// <summary>Cleans the log of the table at <paramref name="paths"/>, whose latest known state is <paramref name="snapshot"/>.</summary>
    /// <param name="storage">The lake.</param>
    /// <param name="paths">The table's log paths.</param>
    /// <param name="snapshot">Gives the table's log retention and whether cleanup is enabled (<c>delta.enableExpiredLogCleanup</c>).</param>
    /// <param name="now">The time now.</param>
    /// <param name="tempFileAge">How old an abandoned temp file must be to be deleted.</param>
    /// <param name="cancellationToken">Cancels the cleanup; what was deleted stays deleted, the log stays readable.</param>
    public static async Task<LogCleanupResult> RunAsync(
        ILakeStorage storage, DeltaLogPaths paths, DeltaSnapshot snapshot, DateTimeOffset now, TimeSpan tempFileAge, CancellationToken cancellationToken)
    {
        var commits = new SortedDictionary<long, LakeFile>();
        var checkpoints = new SortedSet<long>();
        var entries = new List<(long Version, LakeFile File)>();
        var temps = new List<LakeFile>();
        await foreach (var file in storage.ListAsync(paths.LogFolder, cancellationToken))
        {
            var name = file.Path[paths.LogFolder.Length..];
            if (name.Contains('/', StringComparison.Ordinal))
            {
                continue; // _sidecars and _staged_commits belong to features this destination refuses.
            }

            if (Compacted().Match(name) is { Success: true } compacted)
            {
                // A compacted file goes when it starts at or before the kept checkpoint: filed under the version before its start.
                entries.Add((Version(compacted) - 1, file));
            }
            else if (Versioned().Match(name) is { Success: true } versioned)
            {
                var version = Version(versioned);
                entries.Add((version, file));
                if (paths.CommitVersion(file.Path) is not null)
                {
                    commits[version] = file;
                }
                else if (paths.CheckpointVersion(file.Path) is not null)
                {
                    checkpoints.Add(version);
                }
            }
            else if (FolderLakeStorage.IsTempFile(name) && file.LastModified < now - tempFileAge)
            {
                temps.Add(file);
            }
        }

        var retention = DeltaRetention.Log(snapshot.Metadata);
        var kept = DeltaRetention.LogCleanupEnabled(snapshot.Metadata) && CutOffCommit(commits, now - retention) is { } cutOffCommit
            ? await NewestReadableCheckpointAsync(storage, paths, checkpoints.Reverse().Where(version => version <= cutOffCommit), cancellationToken)
            : null;

        var deleted = new List<LakeFile>();
        if (kept is { } checkpoint)
        {
            foreach (var (_, file) in entries.Where(entry => entry.Version < checkpoint)
                .OrderBy(entry => entry.Version).ThenBy(entry => entry.File.Path, StringComparer.Ordinal))
            {
                await storage.DeleteAsync(file.Path, cancellationToken);
                deleted.Add(file);
            }
        }

        foreach (var temp in temps)
        {
            await storage.DeleteAsync(temp.Path, cancellationToken);
        }

        return new LogCleanupResult(deleted, temps, kept, retention);
    }

    /// <summary>
    /// The newest commit not newer than midnight UTC of the day <paramref name="retainFrom"/> falls on, reading commit times
    /// as never going back (a commit is taken as at least as new as the one before it, as the reference implementation does
    /// with clocks that disagree); null when every commit is newer.
    /// </summary>
    private static long? CutOffCommit(SortedDictionary<long, LakeFile> commits, DateTimeOffset retainFrom)
    {
        var cutOff = new DateTimeOffset(retainFrom.UtcDateTime.Date, TimeSpan.Zero);
        long? found = null;
        var floor = DateTimeOffset.MinValue;
        foreach (var (version, file) in commits)
        {
            floor = file.LastModified > floor ? file.LastModified : floor;
            if (floor > cutOff)
            {
                break;
            }

            found = version;
        }

        return found;
    }

    /// <summary>The first of <paramref name="newestFirst"/> whose checkpoint this destination can read, or null.</summary>
    private static async Task<long?> NewestReadableCheckpointAsync(
        ILakeStorage storage, DeltaLogPaths paths, IEnumerable<long> newestFirst, CancellationToken cancellationToken)
    {
        foreach (var version in newestFirst)
        {
            try
            {
                if (await DeltaCheckpoint.ReadAsync(storage, paths, version, cancellationToken) is not null)
                {
                    return version;
                }
            }
            catch (InvalidDataException)
            {
                // Not readable: an older one must do, and this one is deleted with the rest before it.
            }
        }

        return null;
    }

    private static long Version(Match match) => long.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>A commit, a checksum, or a checkpoint of any kind (classic, multi-part, UUID-named) of one version.</summary>
    [GeneratedRegex(@"^(\d{20})\.(json|crc|checkpoint\..+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Versioned();

    /// <summary>A log compaction file, <c>&lt;start&gt;.&lt;end&gt;.compacted.json</c>.</summary>
    [GeneratedRegex(@"^(\d{20})\.(\d{20})\.compacted\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex Compacted();
}

/// <summary>What a log cleanup deleted.</summary>
/// <param name="Deleted">The commits, checkpoints and other log entries deleted, oldest first.</param>
/// <param name="TempFiles">The abandoned temp files deleted.</param>
/// <param name="KeptFrom">The checkpoint the log now starts at, or null when nothing had expired.</param>
/// <param name="Retention">The table's log retention.</param>
internal sealed record LogCleanupResult(IReadOnlyList<LakeFile> Deleted, IReadOnlyList<LakeFile> TempFiles, long? KeptFrom, TimeSpan Retention);

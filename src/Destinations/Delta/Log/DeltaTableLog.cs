using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// The transaction log of one Delta table: loads its snapshot and commits new versions. A commit is the exclusive
/// creation of <c>_delta_log/&lt;version&gt;.json</c>, so of two writers on one version exactly one succeeds.
/// Safe to share between callers; it holds no table state of its own.
/// </summary>
internal sealed class DeltaTableLog
{
    /// <summary>A checkpoint is written at every version that is a multiple of this.</summary>
    public const int CheckpointInterval = 10;

    private static readonly string EngineInfo = "Tributary/" + EngineVersion();

    private readonly ILakeStorage _storage;
    private readonly DeltaLogPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>The log of the table at <paramref name="tablePath"/> (like <c>conn/items</c>) in <paramref name="storage"/>.</summary>
    public DeltaTableLog(ILakeStorage storage, string tablePath, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _paths = new DeltaLogPaths(tablePath);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The table folder, relative to the lake root.</summary>
    public string TablePath => _paths.Table;

    /// <summary>The <c>engineInfo</c> every commit records, <c>Tributary/&lt;version&gt;</c>.</summary>
    public static string Engine => EngineInfo;

    /// <summary>
    /// The latest snapshot, or null when the table has no log. Starts from the newest checkpoint (named by
    /// <c>_last_checkpoint</c>, else found by listing the log) and replays the JSON commits after it.
    /// </summary>
    /// <exception cref="InvalidDataException">The log is damaged: a commit missing, an action unreadable.</exception>
    /// <exception cref="NotSupportedException">The table needs a protocol feature Tributary does not implement.</exception>
    public async Task<DeltaSnapshot?> LoadAsync(CancellationToken ct)
    {
        var (state, next) = await StartingPointAsync(ct);
        return await ReplayAsync(state, next, null, ct);
    }

    /// <summary>
    /// <paramref name="known"/> brought up to date by reading only the commits after its version (one read each, and one
    /// that finds nothing), and its own version's commit again, at the same time, to check that it is still the file the
    /// snapshot was built from: when it is gone or differs (the table was dropped and created again, or its log cleaned up
    /// past it), the table is loaded afresh. The same snapshot when nothing was committed since. A null
    /// <paramref name="known"/> loads.
    /// </summary>
    public async Task<DeltaSnapshot?> RefreshAsync(DeltaSnapshot? known, CancellationToken ct)
    {
        if (known?.CommitTag is not { } tag)
        {
            return await LoadAsync(ct);
        }

        var current = _storage.ReadAsync(_paths.Commit(known.Version), ct);
        var next = _storage.ReadAsync(_paths.Commit(known.Version + 1), ct);
        await Task.WhenAll(current, next);
        if (await current is not { } same || Tag(same) != tag)
        {
            DeltaLogMessages.SnapshotReplaced(_logger, _paths.Table, known.Version);
            return await LoadAsync(ct);
        }

        // Only a table that moved on pays for copying the known state.
        if (await next is not { } content)
        {
            return known;
        }

        var state = new DeltaStateBuilder(known);
        DeltaLogJson.ApplyLines(content, state, _paths.Commit(known.Version + 1));
        return await ReplayAsync(state, known.Version + 2, content, ct);
    }

    /// <summary>
    /// Commits <paramref name="commit"/> as version <c>(read?.Version ?? -1) + 1</c>: creates its JSON file only if it does
    /// not exist, with <c>commitInfo</c> first, then <c>protocol</c>, <c>metaData</c>, removes and adds. Every 10th version
    /// then writes a checkpoint, whose failure is logged and never fails the commit.
    /// </summary>
    /// <returns>The snapshot at the new version.</returns>
    /// <exception cref="DeltaConcurrentCommitException">Another writer committed that version first; nothing was written.</exception>
    /// <exception cref="ArgumentException">The commit is not valid at that version (named in the message).</exception>
    public async Task<DeltaSnapshot> CommitAsync(DeltaSnapshot? read, DeltaCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var version = (read?.Version ?? -1) + 1;
        Validate(read, commit, version);

        var content = DeltaLogJson.WriteCommit(commit, _time.GetUtcNow().ToUnixTimeMilliseconds(), EngineInfo);
        var state = read is null ? new DeltaStateBuilder() : new DeltaStateBuilder(read);
        state.Apply(commit);
        var snapshot = state.Build(version, _paths.Table, Tag(content));

        if (!await _storage.TryCreateAsync(_paths.Commit(version), content, ct))
        {
            throw new DeltaConcurrentCommitException(_paths.Table, version);
        }

        if (version > 0 && version % CheckpointInterval == 0)
        {
            await CheckpointAsync(snapshot, ct);
        }

        return snapshot;
    }

    /// <summary>
    /// Deletes the files under the table that <paramref name="snapshot"/> neither references nor keeps as a tombstone
    /// removed within <paramref name="retention"/>, and that were last written before <paramref name="retention"/> ago.
    /// Never touches <c>_delta_log</c> (nor any folder or file whose name starts with '_').
    /// </summary>
    public async Task<VacuumResult> VacuumAsync(DeltaSnapshot snapshot, TimeSpan retention, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero);
        var cutoff = _time.GetUtcNow() - retention;
        var cutoffMilliseconds = cutoff.ToUnixTimeMilliseconds();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in snapshot.Files.Keys)
        {
            keep.Add(_paths.DataFile(path));
        }

        foreach (var tombstone in snapshot.Tombstones.Values.Where(tombstone => tombstone.DeletionTimestamp >= cutoffMilliseconds))
        {
            keep.Add(_paths.DataFile(tombstone.Path));
        }

        var candidates = new List<LakeFile>();
        await foreach (var file in _storage.ListAsync(_paths.Table, ct))
        {
            var relative = file.Path[(_paths.Table.Length + 1)..];
            if (relative.Split('/').Any(segment => segment.StartsWith('_')) || keep.Contains(file.Path) || file.LastModified >= cutoff)
            {
                continue;
            }

            candidates.Add(file);
        }

        foreach (var file in candidates)
        {
            await _storage.DeleteAsync(file.Path, ct);
        }

        var result = new VacuumResult(candidates);
        DeltaLogMessages.Vacuumed(_logger, _paths.Table, candidates.Count, result.DeletedBytes, retention);
        return result;
    }

    /// <summary>
    /// Deletes the log entries older than the table's log retention that no version within it needs (see
    /// <see cref="DeltaLogCleanup"/>), and the temp files a folder write that died left in the log, once older than
    /// <paramref name="tempFileAge"/>. The table stays readable at its latest version and at every version within the
    /// retention.
    /// </summary>
    public async Task<LogCleanupResult> CleanUpLogAsync(DeltaSnapshot snapshot, TimeSpan tempFileAge, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfLessThan(tempFileAge, TimeSpan.Zero);
        var result = await DeltaLogCleanup.RunAsync(_storage, _paths, snapshot, _time.GetUtcNow(), tempFileAge, ct);
        DeltaLogMessages.LogCleaned(_logger, _paths.Table, result.Deleted.Count, result.KeptFrom, result.Retention, result.TempFiles.Count);
        return result;
    }

    private void Validate(DeltaSnapshot? read, DeltaCommit commit, long version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commit.Operation, nameof(commit));
        ArgumentNullException.ThrowIfNull(commit.Adds, nameof(commit));
        ArgumentNullException.ThrowIfNull(commit.Removes, nameof(commit));
        if (version == 0 && (commit.Protocol is null || commit.Metadata is null))
        {
            var missing = (commit.Protocol, commit.Metadata) switch
            {
                (null, null) => "protocol and metaData actions",
                (null, _) => "protocol action",
                _ => "metaData action",
            };
            throw new ArgumentException(
                $"Version 0 of the Delta table '{_paths.Table}' creates the table and must carry a protocol and a metaData action; the '{commit.Operation}' commit has no {missing}.",
                nameof(commit));
        }

        if (commit.Protocol is { } protocol)
        {
            DeltaFeatures.EnsureSupported(protocol, _paths.Table);
        }

        Unique(commit.Adds.Select(add => add.Path), "add");
        Unique(commit.Removes.Select(remove => remove.Path), "remove");
        var configuration = (commit.Metadata ?? read?.Metadata)?.Configuration;
        if (commit.Removes.Any(remove => remove.DataChange) && configuration is not null
            && configuration.TryGetValue("delta.appendOnly", out var appendOnly) && string.Equals(appendOnly, "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"The Delta table '{_paths.Table}' is append-only (delta.appendOnly = true): the '{commit.Operation}' commit cannot remove data files.",
                nameof(commit));
        }

        void Unique(IEnumerable<string> paths, string action)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                ArgumentException.ThrowIfNullOrEmpty(path, nameof(commit));
                if (!seen.Add(path))
                {
                    throw new ArgumentException(
                        $"The '{commit.Operation}' commit to the Delta table '{_paths.Table}' has two {action} actions for '{path}'; a version holds at most one per path.",
                        nameof(commit));
                }
            }
        }
    }

    /// <summary>
    /// Writes the checkpoint of <paramref name="snapshot"/>, keeping the tombstones that vacuum's default retention still
    /// protects (<c>delta.deletedFileRetentionDuration</c>). Any failure is logged, never thrown: the commit stands.
    /// </summary>
    private async Task CheckpointAsync(DeltaSnapshot snapshot, CancellationToken ct)
    {
        try
        {
            var cutoff = (_time.GetUtcNow() - DeltaRetention.Tombstones(snapshot.Metadata)).ToUnixTimeMilliseconds();
            var actions = await DeltaCheckpoint.WriteAsync(_storage, _paths, snapshot, cutoff, ct);
            DeltaLogMessages.CheckpointWritten(_logger, _paths.Table, snapshot.Version, actions);
        }
#pragma warning disable CA1031 // A checkpoint only speeds reads up: whatever stops it must not undo a commit that succeeded.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DeltaLogMessages.CheckpointNotWritten(_logger, _paths.Table, snapshot.Version, ex);
        }
    }

    /// <summary>
    /// The state to replay from and the first commit to read: the checkpoint <c>_last_checkpoint</c> names; else the newest
    /// readable checkpoint a listing of the log finds; else nothing, from version 0.
    /// </summary>
    private async Task<(DeltaStateBuilder State, long Next)> StartingPointAsync(CancellationToken ct)
    {
        var tried = new HashSet<long>();
        if (await DeltaCheckpoint.ReadPointerAsync(_storage, _paths, ct) is { } pointed)
        {
            tried.Add(pointed);
            if (await TryReadCheckpointAsync(pointed, ct) is { } state)
            {
                return (state, pointed + 1);
            }
        }

        var checkpoints = new List<long>();
        long? firstCommit = null;
        await foreach (var file in _storage.ListAsync(_paths.LogFolder, ct))
        {
            if (_paths.CheckpointVersion(file.Path) is { } checkpoint)
            {
                checkpoints.Add(checkpoint);
            }
            else if (_paths.CommitVersion(file.Path) is { } commit)
            {
                firstCommit = Math.Min(firstCommit ?? commit, commit);
            }
        }

        foreach (var checkpoint in checkpoints.Where(checkpoint => !tried.Contains(checkpoint)).OrderDescending())
        {
            if (await TryReadCheckpointAsync(checkpoint, ct) is { } state)
            {
                return (state, checkpoint + 1);
            }
        }

        if (firstCommit is > 0)
        {
            throw new InvalidDataException(
                $"The Delta log of '{_paths.Table}' starts at version {firstCommit} and has no readable checkpoint: the table cannot be replayed.");
        }

        return (new DeltaStateBuilder(), 0);
    }

    private async Task<DeltaStateBuilder?> TryReadCheckpointAsync(long version, CancellationToken ct)
    {
        try
        {
            return await DeltaCheckpoint.ReadAsync(_storage, _paths, version, ct);
        }
        catch (InvalidDataException ex)
        {
            DeltaLogMessages.CheckpointNotRead(_logger, _paths.Table, version, ex);
            return null;
        }
    }

    /// <summary>
    /// Applies the commits from <paramref name="next"/> on, until one is absent; null when there was nothing at all. The
    /// snapshot is tagged with the last commit read, or, when none was, with <paramref name="previous"/> (the content of
    /// version <paramref name="next"/> - 1), read here when not given (a checkpoint's own commit, which log cleanup keeps).
    /// </summary>
    private async Task<DeltaSnapshot?> ReplayAsync(DeltaStateBuilder state, long next, byte[]? previous, CancellationToken ct)
    {
        var version = next;
        var last = previous;
        while (await _storage.ReadAsync(_paths.Commit(version), ct) is { } content)
        {
            DeltaLogJson.ApplyLines(content, state, _paths.Commit(version));
            last = content;
            version++;
        }

        if (last is null && version > 0)
        {
            last = await _storage.ReadAsync(_paths.Commit(version - 1), ct);
        }

        return version == 0 ? null : state.Build(version - 1, _paths.Table, last is null ? null : Tag(last));
    }

    /// <summary>What identifies a commit file's content: its SHA-256, in hex.</summary>
    private static string Tag(ReadOnlySpan<byte> content) => Convert.ToHexString(SHA256.HashData(content));

    private static string EngineVersion()
    {
        var version = typeof(DeltaTableLog).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(DeltaTableLog).Assembly.GetName().Version?.ToString()
            ?? "0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

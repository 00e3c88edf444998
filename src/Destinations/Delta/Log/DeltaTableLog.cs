using System.Reflection;
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
        return await ReplayAsync(state, next, previous: null, ct);
    }

    /// <summary>
    /// <paramref name="known"/> brought up to date by reading only the commits after its version (one read each, and one
    /// that finds nothing); the same snapshot when nothing was committed since. A null <paramref name="known"/> loads.
    /// </summary>
    public async Task<DeltaSnapshot?> RefreshAsync(DeltaSnapshot? known, CancellationToken ct)
    {
        if (known is null)
        {
            return await LoadAsync(ct);
        }

        return await ReplayAsync(new DeltaStateBuilder(known), known.Version + 1, known, ct);
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

        var state = read is null ? new DeltaStateBuilder() : new DeltaStateBuilder(read);
        state.Apply(commit);
        var snapshot = state.Build(version, _paths.Table);

        var content = DeltaLogJson.WriteCommit(commit, _time.GetUtcNow().ToUnixTimeMilliseconds(), EngineInfo);
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

    private async Task<DeltaSnapshot?> ReplayAsync(DeltaStateBuilder state, long next, DeltaSnapshot? previous, CancellationToken ct)
    {
        var version = next;
        while (await _storage.ReadAsync(_paths.Commit(version), ct) is { } content)
        {
            DeltaLogJson.ApplyLines(content, state, _paths.Commit(version));
            version++;
        }

        if (version == next)
        {
            return previous ?? (next == 0 ? null : state.Build(next - 1, _paths.Table));
        }

        return state.Build(version - 1, _paths.Table);
    }

    private static string EngineVersion()
    {
        var version = typeof(DeltaTableLog).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(DeltaTableLog).Assembly.GetName().Version?.ToString()
            ?? "0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

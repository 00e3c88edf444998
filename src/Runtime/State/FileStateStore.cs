using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Runtime.State;

/// <summary>
/// The local state store: one folder per connector under <c>&lt;root&gt;/connectors/&lt;name&gt;/</c> with
/// <c>state.json</c>, <c>history/</c>, <c>runs/</c> and a <c>lease.lock</c> held with an OS file lock, so a
/// killed process never leaves a stale lease; <c>lease.epoch</c> counts its acquisitions (the fencing token). Every file is
/// replaced atomically (write, flush, rename). When a run ends, the history and run records beyond
/// <see cref="RetentionOptions"/> are deleted; a checkpoint's file time is its save time.
/// </summary>
public sealed class FileStateStore : IStateStore
{
    private readonly string _root;
    private readonly TimeProvider _timeProvider;
    private readonly RetentionOptions _retention;

    /// <summary>Creates a store rooted at <paramref name="root"/> (the CLI's <c>--files</c> folder).</summary>
    /// <param name="root">The folder.</param>
    /// <param name="timeProvider">The clock of save times and retention; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="retention">What is kept of the history and the run records; validated here. Defaults when omitted.</param>
    public FileStateStore(string root, TimeProvider? timeProvider = null, RetentionOptions? retention = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.GetFullPath(root);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _retention = retention ?? new RetentionOptions();
        _retention.Validate();
    }

    /// <inheritdoc />
    public async Task<StateSnapshot> ReadAsync(string connector, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(connector), "state.json");
        return File.Exists(path) ? await ReadEnvelopeAsync(path, cancellationToken) : new StateSnapshot([], null, null);
    }

    /// <inheritdoc />
    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, CancellationToken cancellationToken) =>
        WriteAsync(connector, state, expectedVersion, epoch: null, cancellationToken);

    /// <inheritdoc />
    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long epoch, CancellationToken cancellationToken) =>
        WriteAsync(connector, state, expectedVersion, (long?)epoch, cancellationToken);

    private async Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long? epoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var writeLock = await LockAsync(Path.Combine(Folder(connector), "state.lock"), cancellationToken);
        if (epoch is { } mine && await ReadEpochAsync(connector, cancellationToken) is var latest && latest > mine)
        {
            throw new ConnectorBusyException(
                $"The lease of connector '{connector}' was taken again (epoch {latest}) since this run took it (epoch {mine}); its state write was refused.");
        }

        var current = await ReadAsync(connector, cancellationToken);
        if (current.Version != expectedVersion)
        {
            throw new StateConflictException(
                $"The state of '{connector}' is at version {current.Version ?? "none"}, not {expectedVersion ?? "none"}: another writer saved it first.");
        }

        var version = (current.Version is null ? 1 : long.Parse(current.Version, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        var snapshot = new StateSnapshot(state, version, _timeProvider.GetUtcNow());
        var bytes = Serialize(snapshot);
        var historyPath = Path.Combine(Folder(connector), "history", version.PadLeft(12, '0') + ".json");
        await WriteAtomicallyAsync(historyPath, bytes, cancellationToken);
        File.SetLastWriteTimeUtc(historyPath, snapshot.SavedAt!.Value.UtcDateTime);   // its age, for retention
        await WriteAtomicallyAsync(Path.Combine(Folder(connector), "state.json"), bytes, cancellationToken);
        return snapshot;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateSnapshot> HistoryAsync(string connector, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var path in ListDescending(Path.Combine(Folder(connector), "history")))
        {
            yield return await ReadEnvelopeAsync(path, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<StateSnapshot> RollbackAsync(string connector, string version, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder(connector), "history", version.PadLeft(12, '0') + ".json");
        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out _) || !File.Exists(path))
        {
            throw new KeyNotFoundException($"The state history of '{connector}' has no version '{version}'.");
        }

        var target = await ReadEnvelopeAsync(path, cancellationToken);
        var current = await ReadAsync(connector, cancellationToken);
        return await WriteAsync(connector, target.State, current.Version, cancellationToken);
    }

    /// <inheritdoc />
    public Task ResetAsync(string connector, CancellationToken cancellationToken)
    {
        var folder = Folder(connector);
        if (!Directory.Exists(folder))
        {
            return Task.CompletedTask;
        }

        File.Delete(Path.Combine(folder, "state.json"));
        var history = Path.Combine(folder, "history");
        if (Directory.Exists(history))
        {
            Directory.Delete(history, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<IConnectorLease> AcquireLeaseAsync(string connector, CancellationToken cancellationToken)
    {
        FileStream lockFile;
        try
        {
            lockFile = OpenExclusive(Path.Combine(Folder(connector), "lease.lock"));
        }
        catch (IOException ex)
        {
            throw new ConnectorBusyException($"Connector '{connector}' is already running (its lease is held by another run).", ex);
        }

        try
        {
            var epoch = await ReadEpochAsync(connector, cancellationToken) + 1;
            await WriteAtomicallyAsync(EpochPath(connector), Encoding.ASCII.GetBytes(epoch.ToString(CultureInfo.InvariantCulture)), cancellationToken);
            return new FileLease(lockFile, epoch);
        }
        catch
        {
            await lockFile.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>A record of a run that has ended prunes the connector's history and run records (<see cref="RetentionOptions"/>).</remarks>
    public async Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var name = string.Create(CultureInfo.InvariantCulture, $"{run.StartedAt.UtcDateTime:yyyyMMdd'T'HHmmssfffffff}-{run.Id}.json");
        await WriteAtomicallyAsync(Path.Combine(Folder(run.Connector), "runs", name), JsonSerializer.SerializeToUtf8Bytes(run, StateJson.Options), cancellationToken);
        if (run.Outcome != RunOutcome.Running)
        {
            Prune(run.Connector);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunRecord> ListRunsAsync(string connector, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var path in ListDescending(Path.Combine(Folder(connector), "runs")))
        {
            if (await ReadRunAsync(path, cancellationToken) is { } run)
            {
                yield return run;
            }
        }
    }

    /// <inheritdoc />
    public async Task<RunPage> ListRunsAsync(string connector, RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var runs = new List<RunRecord>();
        string? last = null;
        foreach (var path in ListDescending(Path.Combine(Folder(connector), "runs")))
        {
            var name = Path.GetFileName(path);
            if (query.After is not null && string.CompareOrdinal(name, query.After) >= 0)
            {
                continue;
            }

            if (runs.Count == query.Limit && query.SyncId is null)
            {
                return new RunPage(runs, last);   // another run exists; it is not read
            }

            // Local files: a sync's runs are found by reading them (the name holds the start and run id only).
            if (await ReadRunAsync(path, cancellationToken) is not { } run || (query.SyncId is not null && run.SyncId != query.SyncId))
            {
                continue;
            }

            if (runs.Count == query.Limit)
            {
                return new RunPage(runs, last);
            }

            runs.Add(run);
            last = name;
        }

        return new RunPage(runs, null);
    }

    // Deletes the checkpoints and run records that retention no longer keeps. Each list is newest first.
    private void Prune(string connector)
    {
        var now = _timeProvider.GetUtcNow();
        var history = ListDescending(Path.Combine(Folder(connector), "history")).ToList();
        for (var i = 0; i < history.Count; i++)
        {
            if (_retention.PrunesCheckpoint(i, new DateTimeOffset(File.GetLastWriteTimeUtc(history[i]), TimeSpan.Zero), now))
            {
                File.Delete(history[i]);
            }
        }

        var runs = ListDescending(Path.Combine(Folder(connector), "runs")).ToList();
        for (var i = 0; i < runs.Count; i++)
        {
            var name = Path.GetFileName(runs[i]);
            var started = DateTime.TryParseExact(name.AsSpan(0, Math.Min(22, name.Length)), "yyyyMMdd'T'HHmmssfffffff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
                ? new DateTimeOffset(at, TimeSpan.Zero)
                : now;   // a name not of this store's making is pruned by count only
            if (_retention.PrunesRun(i, started, now))
            {
                File.Delete(runs[i]);
            }
        }
    }

    private static async Task<RunRecord?> ReadRunAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<RunRecord>(stream, StateJson.Options, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;   // pruned while listed
        }
    }

    private string Folder(string connector)
    {
        ArgumentException.ThrowIfNullOrEmpty(connector);
        if (!Schema.Names.IsSnakeCase(connector))
        {
            throw new ArgumentException($"'{connector}' is not a connector name (lower snake case).", nameof(connector));
        }

        return Path.Combine(_root, "connectors", connector);
    }

    private string EpochPath(string connector) => Path.Combine(Folder(connector), "lease.epoch");

    // The epoch of the lease's latest acquisition; 0 before the first.
    private async Task<long> ReadEpochAsync(string connector, CancellationToken cancellationToken)
    {
        var path = EpochPath(connector);
        if (!File.Exists(path))
        {
            return 0;
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? epoch
            : throw new InvalidDataException($"Lease epoch file '{path}' holds '{text}', not a number.");
    }

    private static IEnumerable<string> ListDescending(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).Reverse()
            : [];

    private static byte[] Serialize(StateSnapshot snapshot) => JsonSerializer.SerializeToUtf8Bytes(
        new JsonObject
        {
            ["version"] = snapshot.Version,
            ["savedAt"] = snapshot.SavedAt,
            ["state"] = snapshot.State.DeepClone(),
        },
        StateJson.Options);

    private static async Task<StateSnapshot> ReadEnvelopeAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        try
        {
            var envelope = JsonNode.Parse(bytes)?.AsObject() ?? throw new JsonException("The file holds null.");
            var state = envelope["state"]?.AsObject() ?? throw new JsonException("It has no \"state\" object.");
            envelope.Remove("state");
            return new StateSnapshot(state, envelope["version"]?.GetValue<string>(), envelope["savedAt"]?.GetValue<DateTimeOffset>());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"State file '{path}' is not valid state JSON: {ex.Message}", ex);
        }
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await stream.WriteAsync(bytes, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static FileStream OpenExclusive(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        // Held for the few milliseconds of a compare-and-write; wait for it rather than fail.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return OpenExclusive(path);
            }
            catch (IOException) when (attempt < 200)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
            }
        }
    }

    private sealed class FileLease(FileStream lockFile, long epoch) : IConnectorLease
    {
        public long Epoch => epoch;

        public void ThrowIfLost()
        {
            // An OS file lock is held until the handle closes; it cannot be lost while the process lives.
        }

        public ValueTask DisposeAsync() => lockFile.DisposeAsync();
    }
}

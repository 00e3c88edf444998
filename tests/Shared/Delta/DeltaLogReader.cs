using System.Text;
using System.Text.Json;

namespace Tributary.Testing;

/// <summary>
/// Replays a Delta table's <c>_delta_log</c> in a local folder, from PROTOCOL.md alone: the newest complete checkpoint at or
/// below the version asked for (classic or multi-part Parquet, read with DuckDB; <c>_last_checkpoint</c> is a hint a listing
/// supersedes, as the protocol allows), then every JSON commit after it in version order. Shares no code with the writer.
/// </summary>
public static class DeltaLogReader
{
    private static readonly string[] CheckpointActions = ["protocol", "metaData", "add", "remove", "txn", "domainMetadata", "checkpointMetadata", "sidecar"];

    /// <summary>The table's latest snapshot, starting from its newest checkpoint.</summary>
    /// <exception cref="InvalidDataException">The log is not a readable Delta log: a missing version, a malformed line, no protocol…</exception>
    public static Task<DeltaSnapshot> ReadAsync(string tableFolder, CancellationToken cancellationToken) =>
        ReadAsync(tableFolder, version: null, useCheckpoints: true, cancellationToken);

    /// <summary>The table's snapshot at <paramref name="version"/> (the latest when <see langword="null"/>).</summary>
    /// <param name="tableFolder">The table's folder (the parent of <c>_delta_log</c>).</param>
    /// <param name="version">The version to replay to, or <see langword="null"/> for the latest.</param>
    /// <param name="useCheckpoints">Whether to start from a checkpoint; without, every JSON commit from version 0 is replayed.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="InvalidDataException">The log is not a readable Delta log: a missing version, a malformed line, no protocol…</exception>
    public static async Task<DeltaSnapshot> ReadAsync(string tableFolder, long? version, bool useCheckpoints, CancellationToken cancellationToken)
    {
        var listing = DeltaLogListing.Scan(tableFolder);
        var target = version ?? listing.LatestVersion ?? throw new InvalidDataException($"{tableFolder}: {DeltaLogListing.LogFolderName} holds no commit and no checkpoint.");
        var replay = new DeltaReplay(tableFolder);
        long? checkpoint = useCheckpoints && listing.Checkpoints.Keys.Where(v => v <= target).DefaultIfEmpty(-1).Max() is var newest and >= 0 ? newest : null;
        if (checkpoint is { } start)
        {
            foreach (var (action, where) in await ReadCheckpointAsync(listing, listing.Checkpoints[start], cancellationToken))
            {
                replay.Apply(action, start, where);
            }
        }

        var first = (checkpoint ?? -1) + 1;
        for (var v = first; v <= target; v++)
        {
            if (!listing.Commits.TryGetValue(v, out var commit))
            {
                var held = listing.Commits.Count == 0 ? "none" : $"{listing.Commits.Keys.First()}…{listing.Commits.Keys.Last()}";
                throw new InvalidDataException(
                    $"{tableFolder}: {DeltaLogListing.LogFolderName} has no version {v} ({DeltaLogListing.CommitName(v)}), needed to replay from {first} to {target} (commits held: {held}).");
            }

            foreach (var (action, where) in await ReadCommitAsync(commit, cancellationToken))
            {
                replay.Apply(action, v, where);
            }
        }

        return replay.ToSnapshot(target, checkpoint);
    }

    /// <summary>The table's snapshot at <paramref name="version"/> read from that version's checkpoint alone.</summary>
    /// <exception cref="InvalidDataException">There is no complete checkpoint at that version, or it is unreadable.</exception>
    public static async Task<DeltaSnapshot> ReadCheckpointAsync(string tableFolder, long version, CancellationToken cancellationToken)
    {
        var listing = DeltaLogListing.Scan(tableFolder);
        if (!listing.Checkpoints.TryGetValue(version, out var files))
        {
            throw new InvalidDataException($"{tableFolder}: there is no complete checkpoint for version {version}.");
        }

        var replay = new DeltaReplay(tableFolder);
        foreach (var (action, where) in await ReadCheckpointAsync(listing, files, cancellationToken))
        {
            replay.Apply(action, version, where);
        }

        return replay.ToSnapshot(version, version);
    }

    /// <summary>The actions of a JSON commit, one per non-empty line, each with where it is (file and line).</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON object.</exception>
    internal static async Task<IReadOnlyList<(JsonElement Action, string Where)>> ReadCommitAsync(string commitFile, CancellationToken cancellationToken)
    {
        var lines = await File.ReadAllLinesAsync(commitFile, Encoding.UTF8, cancellationToken);
        var actions = new List<(JsonElement, string)>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var where = $"{commitFile} line {i + 1}";
            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                actions.Add((document.RootElement.ValueKind == JsonValueKind.Object
                    ? document.RootElement.Clone()
                    : throw new InvalidDataException($"{where}: an action must be a JSON object, not {document.RootElement.ValueKind}"), where));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{where} is not JSON: {ex.Message} ({DeltaSchema.Shorten(lines[i])})", ex);
            }
        }

        return actions;
    }

    /// <summary>The actions of a checkpoint's Parquet files (and of the sidecars a V2 checkpoint names), as JSON objects of one key.</summary>
    internal static async Task<IReadOnlyList<(JsonElement Action, string Where)>> ReadCheckpointAsync(
        DeltaLogListing listing, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var actions = await ReadParquetActionsAsync(files, cancellationToken);
        var sidecars = actions.Where(a => a.Action.TryGetProperty("sidecar", out _))
            .Select(a => DeltaReplay.Resolve(
                Path.Combine(listing.LogFolder, "_sidecars"),
                a.Action.GetProperty("sidecar").GetProperty("path").GetString() ?? throw new InvalidDataException($"{a.Where}: a sidecar has no path"),
                a.Where))
            .ToList();
        if (sidecars.Count > 0)
        {
            actions.AddRange(await ReadParquetActionsAsync(sidecars, cancellationToken));
        }

        return actions;
    }

    private static async Task<List<(JsonElement Action, string Where)>> ReadParquetActionsAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        foreach (var file in files.Where(f => !File.Exists(f)))
        {
            throw new InvalidDataException($"The checkpoint file {file} does not exist.");
        }

        var source = $"read_parquet([{string.Join(", ", files.Select(DuckDbSql.Literal))}], union_by_name = true)";
        var where = files.Count == 1 ? files[0] : $"{files[0]} (+{files.Count - 1} parts)";
        await using var connection = await DuckDbSql.OpenInMemoryAsync(cancellationToken);
        var columns = await DuckDbSql.ColumnNamesAsync(connection, $"SELECT * FROM {source}", cancellationToken);
        var present = CheckpointActions.Where(a => columns.Contains(a, StringComparer.Ordinal)).ToList();
        if (present.Count == 0)
        {
            throw new InvalidDataException($"{where} has none of the checkpoint action columns ({string.Join(", ", CheckpointActions)}).");
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", present.Select(a => $"CAST(to_json({DuckDbSql.Quote(a)}) AS VARCHAR)"))} FROM {source}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var actions = new List<(JsonElement, string)>();
        var row = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            row++;
            for (var i = 0; i < present.Count; i++)
            {
                if (!reader.IsDBNull(i))
                {
                    using var document = JsonDocument.Parse($"{{{JsonSerializer.Serialize(present[i])}:{reader.GetString(i)}}}");
                    actions.Add((document.RootElement.Clone(), $"{where} row {row}"));
                }
            }
        }

        return actions;
    }
}

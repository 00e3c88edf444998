using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.CsvFiles;

/// <summary>
/// The sync both CSV examples share. It lists the files, skips those whose version (ETag) the state already holds, and loads
/// each new or changed one whole: valid lines upserted into <c>data</c>, the others into <c>rejects</c> with the reason, then
/// the rows and rejects of the file's previous version that the new one no longer has deleted, then a checkpoint that
/// records the version. Files gone from the store have their rows and rejects deleted.
/// </summary>
/// <remarks>
/// A file is recorded only by the checkpoint after its last operation, so a sync stopped inside a file leaves the file's
/// previous entry in state; the next sync loads the file again from its first line and, since every operation is an
/// idempotent upsert or delete by key, ends with exactly the tables of a sync never stopped.
/// </remarks>
internal sealed partial class CsvFileLoader(SyncContext context, ICsvFileSource source)
{
    private readonly ILogger _logger = context.Logger;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var state = context.ReadState<CsvFilesState>();
        var listed = new SortedDictionary<string, CsvFile>(StringComparer.Ordinal);
        await foreach (var file in source.ListAsync(cancellationToken))
        {
            listed[file.Key] = file;
        }

        LogListed(_logger, listed.Count, source.Location);
        foreach (var file in listed.Values)
        {
            state.Files.TryGetValue(file.Key, out var previous);
            if (previous?.Version == file.Version)
            {
                LogUnchanged(_logger, file.Key, file.Version);
                continue;
            }

            state.Files[file.Key] = await LoadAsync(file, previous, cancellationToken);
            await context.CheckpointAsync(state, cancellationToken);
        }

        foreach (var (key, gone) in state.Files.Where(f => !listed.ContainsKey(f.Key)).ToList())
        {
            await RemoveAsync(key, gone.Keys, gone.Rejects, cancellationToken);
            state.Files.Remove(key);
            LogRemoved(_logger, key, gone.Keys.Count);
        }

        await context.CheckpointAsync(state, cancellationToken);
    }

    private async Task<LoadedFile> LoadAsync(CsvFile file, LoadedFile? previous, CancellationToken cancellationToken)
    {
        await using var opened = await source.OpenAsync(file, cancellationToken);
        LogReading(_logger, file.Key, opened.Version);
        await using var reader = await CsvFileReader.CopyAsync(opened.Content, cancellationToken);

        if (await reader.CheckAsync(cancellationToken) is { } problem)
        {
            // Nothing of this version is loaded; the rows of the last version that was stay, and the version is recorded so
            // that the file is not read again until it changes.
            LogFileRejected(_logger, file.Key, problem.Line, problem.Reason);
            var fileReject = new RejectKey(problem.Line, problem.Field);
            await UpsertRejectAsync(file.Key, opened.Version, fileReject, null, $"{problem.Reason}; nothing of this version was loaded", cancellationToken);
            await RemoveAsync(file.Key, [], Except(previous?.Rejects, [fileReject]), cancellationToken);
            return new LoadedFile { Version = opened.Version, Keys = previous?.Keys ?? [], Rejects = [fileReject] };
        }

        var keys = new Dictionary<int, long>();
        var rejects = new List<RejectKey>();
        await foreach (var line in reader.LinesAsync(cancellationToken))
        {
            var (row, problems) = line.Problem is { } whole ? (null, [whole]) : CsvRowValidator.Validate(line.Fields!);
            if (row is not null && !keys.TryAdd((int)row["int_value"]!, line.Line))
            {
                problems.Add(new FieldProblem("int_column", line.Fields![0], $"duplicate: line {keys[(int)row["int_value"]!]} has the same int_value"));
                row = null;
            }

            if (row is not null)
            {
                row["_file"] = file.Key;
                row["_line"] = line.Line;
                await context.UpsertAsync(CsvFilesSchema.Data, row, cancellationToken);
                continue;
            }

            foreach (var p in problems)
            {
                var reject = new RejectKey(line.Line, p.Field);
                await UpsertRejectAsync(file.Key, opened.Version, reject, p.Value, p.Reason, cancellationToken);
                rejects.Add(reject);
            }
        }

        var loaded = new LoadedFile { Version = opened.Version, Keys = [.. keys.Keys.Order()], Rejects = rejects };
        var goneKeys = previous?.Keys.Except(keys.Keys).ToList() ?? [];
        await RemoveAsync(file.Key, goneKeys, Except(previous?.Rejects, rejects), cancellationToken);
        var rejectedLines = rejects.Select(r => r.Line).Distinct().Count();
        LogLoaded(_logger, file.Key, keys.Count, rejectedLines, goneKeys.Count);
        return loaded;
    }

    private async Task RemoveAsync(string file, IEnumerable<int> keys, IEnumerable<RejectKey> rejects, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            await context.DeleteAsync(CsvFilesSchema.Data, new Dictionary<string, object?> { ["_file"] = file, ["int_value"] = key }, cancellationToken);
        }

        foreach (var reject in rejects)
        {
            await context.DeleteAsync(
                CsvFilesSchema.Rejects,
                new Dictionary<string, object?> { ["file"] = file, ["line"] = reject.Line, ["field"] = reject.Field },
                cancellationToken);
        }
    }

    private ValueTask UpsertRejectAsync(string file, string version, RejectKey key, string? value, string reason, CancellationToken cancellationToken) =>
        context.UpsertAsync(
            CsvFilesSchema.Rejects,
            new Dictionary<string, object?>
            {
                ["file"] = file,
                ["line"] = key.Line,
                ["field"] = key.Field,
                ["value"] = value,
                ["reason"] = reason,
                ["version"] = version,
            },
            cancellationToken);

    private static List<RejectKey> Except(IEnumerable<RejectKey>? previous, IEnumerable<RejectKey> current) =>
        previous?.Except(current).ToList() ?? [];

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Listed {Count} CSV files at {Location}")]
    private static partial void LogListed(ILogger logger, int count, string location);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Skipped {File}: unchanged at version {Version}")]
    private static partial void LogUnchanged(ILogger logger, string file, string version);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "Reading {File} at version {Version}")]
    private static partial void LogReading(ILogger logger, string file, string version);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Information, Message = "Loaded {File}: {Rows} rows, {RejectedLines} rejected lines, {RemovedRows} rows of its previous version removed")]
    private static partial void LogLoaded(ILogger logger, string file, int rows, int rejectedLines, int removedRows);

    [LoggerMessage(EventId = 2604, Level = LogLevel.Warning, Message = "Rejected {File} whole at line {Line}: {Reason}")]
    private static partial void LogFileRejected(ILogger logger, string file, long line, string reason);

    [LoggerMessage(EventId = 2605, Level = LogLevel.Information, Message = "Removed {File}, gone from the store: {Rows} rows deleted")]
    private static partial void LogRemoved(ILogger logger, string file, int rows);
}

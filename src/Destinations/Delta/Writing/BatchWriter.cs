using System.Globalization;
using Microsoft.Extensions.Logging;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;
using Tributary.Runtime.Destinations;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// Applies one batch to one Delta table, copy-on-write: plans which active files the batch touches (<see cref="BatchPlanner"/>),
/// loads them into the working table a group at a time (<see cref="RewriteGroups"/>, so the engine holds one group's rows,
/// not the table's), applies to each group the part of the batch whose keys it holds with the DuckDB destination's
/// statements, writes the result as new Parquet files and uploads them, then commits the removes of every loaded file and
/// the adds of every new one in one Delta commit. When another writer took the version first, the batch is committed again unchanged if that
/// writer's commit touched none of its files, and planned again from the new snapshot otherwise, up to
/// <see cref="DeltaDestinationOptions.MaxCommitAttempts"/> times.
/// </summary>
internal sealed class BatchWriter(
    ILakeStorage storage, WorkingTable engine, SchemaFence fence, DeltaDestinationOptions options, string scratch, ILogger logger)
{
    private readonly TimeProvider _time = options.TimeProvider;

    /// <summary>Writes the batch; returns the rows applied, as <see cref="IDestination.WriteAsync"/> counts them.</summary>
    /// <exception cref="Runtime.State.ConnectorBusyException">A larger fence has written to the schema or the table.</exception>
    /// <exception cref="InvalidOperationException">Other writers kept taking the table's next version.</exception>
    public async Task<long> WriteAsync(DeltaTable table, WriteBatch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            table.Snapshot = await table.Log.RefreshAsync(table.Snapshot, cancellationToken);
            if (batch.Fence is { } epoch)
            {
                await fence.CheckAsync(batch.Schema, batch.Table.Name, epoch, cancellationToken);
                SchemaFence.Refuse(batch.Schema, batch.Table.Name, epoch, DeltaSchema.FenceOf(table.Snapshot?.Metadata));
            }

            var plan = BatchPlanner.Plan(table, batch);
            var folder = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                var (applied, commit, uploaded) = await ApplyAsync(table, plan, folder, cancellationToken);
                if (commit is null)
                {
                    return applied;
                }

                while (true)
                {
                    try
                    {
                        if (batch.Fence is { } e)
                        {
                            await fence.CheckAsync(batch.Schema, batch.Table.Name, e, cancellationToken);
                        }

                        table.Snapshot = await table.Log.CommitAsync(plan.Snapshot, commit, cancellationToken);
                        DestinationLog.Committed(logger, table.Path, table.Snapshot.Version, commit.Removes.Count, commit.Adds.Count, batch);
                        return applied;
                    }
                    catch (DeltaConcurrentCommitException ex) when (attempt < options.MaxCommitAttempts)
                    {
                        // Writers that keep colliding fall out of step: a random pause, longer with each attempt.
                        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt), _time, cancellationToken);
                        table.Snapshot = await table.Log.RefreshAsync(plan.Snapshot, cancellationToken);
                        if (plan.StillHolds(table.Snapshot) is { } rebased)
                        {
                            attempt++;
                            DestinationLog.CommitRebased(logger, table.Path, ex.Version);
                            plan = rebased;
                            commit = commit with { Metadata = plan.Metadata(commit.Metadata is not null, _time), Protocol = plan.ProtocolChange() };
                            continue;
                        }

                        DestinationLog.CommitReplanned(logger, table.Path, ex.Version);
                        await DeleteAsync(uploaded, CancellationToken.None);
                        break;
                    }
                    catch (DeltaConcurrentCommitException ex)
                    {
                        await DeleteAsync(uploaded, CancellationToken.None);
                        throw new InvalidOperationException(
                            $"Could not commit the batch ({batch}) to Delta table '{table.Path}': other writers took its next version {options.MaxCommitAttempts} times in a row. Nothing of the batch was committed.",
                            ex);
                    }
                }
            }
            finally
            {
                engine.Drop(batch.Schema);
                TryDeleteFolder(folder);
            }
        }
    }

    /// <summary>
    /// Applies the batch to the planned files a group at a time (<see cref="RewriteGroups"/>): learns which file holds each
    /// batch key, keeps only the files that hold one (unless a widening or truncate rewrites them all), then for each group
    /// loads its files, applies the part of the batch whose keys they hold, writes and uploads the result, and empties the
    /// engine; the rows whose key no file holds are applied last, loading nothing. Returns the rows applied, the commit
    /// (null when the table does not change) and the lake paths uploaded.
    /// </summary>
    private async Task<(long Applied, DeltaCommit? Commit, List<string> Uploaded)> ApplyAsync(
        DeltaTable table, BatchPlanner plan, string folder, CancellationToken cancellationToken)
    {
        var batch = plan.Batch;
        var local = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in plan.Loads)
        {
            local[file.Path] = await storage.LocalPathAsync(table.FilePath(file.Path), cancellationToken);
        }

        var probed = plan.Loads;
        var fileOf = batch.RowCount > 0 && probed.Count > 0 ? engine.FileOfRows(batch, [.. probed.Select(f => local[f.Path])]) : [];
        if (plan.CanNarrow)
        {
            var holding = new bool[probed.Count];
            foreach (var file in fileOf)
            {
                if (file >= 0)
                {
                    holding[file] = true;
                }
            }

            plan.Narrow([.. probed.Where((_, i) => holding[i])]);
            DeleteCopies(local, probed.Where((_, i) => !holding[i]));
        }

        var groups = RewriteGroups.Of(plan.Loads, table.Rows, options.RewriteGroupRows ?? options.TargetFileRows);
        var rows = RewriteGroups.Rows(batch.RowCount, fileOf, probed, groups);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var adds = new List<AddFile>();
        var uploaded = new List<string>();
        long truncated = 0, applied = 0;
        for (var g = 0; g <= groups.Count; g++)
        {
            var loads = g < groups.Count ? groups[g] : [];
            if (g == groups.Count && rows[g].Count == 0)
            {
                continue;
            }

            var part = RewriteGroups.Select(batch, rows[g]);
            rows[g] = [];
            engine.Create(batch.Schema, plan.Before, withKey: loads.Count > 0);
            engine.Load(batch.Schema, batch.Table.Name, [.. loads.Select(f => local[f.Path])]);
            DeleteCopies(local, loads);
            var (t, a) = engine.Apply(part, merge: loads.Count > 0, cancellationToken);
            (truncated, applied) = (truncated + t, applied + a);
            var count = engine.Count(batch.Schema, batch.Table.Name);
            options.WorkingTableRows?.Invoke(count);
            if (count > 0)
            {
                await WriteOutAsync(table, plan, Path.Combine(folder, g.ToString(CultureInfo.InvariantCulture)), count, now, adds, uploaded, cancellationToken);
            }

            engine.Drop(batch.Schema);
        }

        var result = batch.RowCount == 0 ? truncated : applied;
        if (applied == 0 && !plan.Widens && !(batch.Truncate && plan.Loads.Count > 0))
        {
            // Nothing matched: the loaded files stay as they are; only a new table or schema is committed.
            await DeleteAsync(uploaded, CancellationToken.None);
            return (result, plan.SchemaCommit(_time), []);
        }

        var removes = plan.Loads.Select(f => new RemoveFile(f.Path, now, DataChange: true, f.Size)).ToList();
        var operation = plan.Snapshot is null ? "CREATE TABLE" : removes.Count > 0 ? "MERGE" : "WRITE";
        return (result, new DeltaCommit(operation, plan.ProtocolChange(), plan.Metadata(force: false, _time), adds, removes), uploaded);
    }

    /// <summary>Writes the engine's working table as Parquet files into <paramref name="folder"/>, computes their statistics and uploads them.</summary>
    private async Task WriteOutAsync(
        DeltaTable table, BatchPlanner plan, string folder, long rows, long now, List<AddFile> adds, List<string> uploaded, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        foreach (var written in engine.WriteOut(plan.Batch.Schema, plan.Batch.Table.Name, plan.After.PrimaryKey, rows, options.TargetFileRows, folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (count, stats) = FileStats.Compute(engine.Connection, written, plan.After);
            var name = Guid.NewGuid() + ".parquet";
            var size = new FileInfo(written).Length;
            var path = table.FilePath(name);
            await UploadAsync(path, written, cancellationToken);
            uploaded.Add(path);
            adds.Add(new AddFile(name, size, now, DataChange: true, stats));
        }

        TryDeleteFolder(folder);
    }

    /// <summary>Deletes the local copies of files downloaded from a container once they are loaded (a folder's files are the lake's own).</summary>
    private void DeleteCopies(Dictionary<string, string> local, IEnumerable<AddFile> files)
    {
        if (storage is BlobLakeStorage)
        {
            foreach (var file in files)
            {
                File.Delete(local[file.Path]);
            }
        }
    }

    /// <summary>Puts a written file into the lake: moved, for a folder on this machine; uploaded, for a container.</summary>
    private async Task UploadAsync(string path, string local, CancellationToken cancellationToken)
    {
        if (storage is FolderLakeStorage)
        {
            var target = await storage.LocalPathAsync(path, cancellationToken);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(local, target);
            return;
        }

        await storage.UploadFileAsync(path, local, cancellationToken);
    }

    /// <summary>Deletes data files of a commit that did not happen (best effort: what is left, vacuum collects).</summary>
    private async Task DeleteAsync(List<string> uploaded, CancellationToken cancellationToken)
    {
        foreach (var path in uploaded)
        {
            try
            {
                await storage.DeleteAsync(path, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Azure.RequestFailedException)
            {
                DestinationLog.CleanupFailed(logger, path, ex);
            }
        }
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A scratch file still open; the destination's scratch folder is removed on disposal.
        }
    }
}

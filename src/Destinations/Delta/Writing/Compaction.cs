using Microsoft.Extensions.Logging;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// Joins a table's small files when it has too many: decided from the snapshot alone after a write (more than
/// <see cref="DeltaDestinationOptions.CompactionThreshold"/> files under <see cref="DeltaDestinationOptions.CompactionFileRows"/>
/// rows), it reads the smallest of them, up to <see cref="DeltaDestinationOptions.TargetFileRows"/> rows in all, and writes
/// them back in key order as few files (streamed from file to file when their key ranges do not overlap, loaded into the
/// engine and sorted otherwise), in a commit whose actions all say <c>dataChange: false</c>. Losing the version
/// to another writer only postpones it.
/// </summary>
internal sealed class Compaction(ILakeStorage storage, WorkingTable engine, DeltaDestinationOptions options, string scratch, ILogger logger)
{
    /// <summary>Compacts the table when its snapshot has too many small files.</summary>
    public async Task RunAsync(DeltaTable table, CancellationToken cancellationToken)
    {
        var snapshot = table.Snapshot;
        if (snapshot is null || snapshot.Files.Count <= options.CompactionThreshold)
        {
            return;
        }

        var small = snapshot.Files.Values
            .Select(f => (File: f, Rows: table.Rows(f) ?? long.MaxValue))
            .Where(f => f.Rows < options.CompactionFileRows)
            .OrderBy(f => f.Rows)
            .ToList();
        if (small.Count <= options.CompactionThreshold)
        {
            return;
        }

        var picked = new List<AddFile>();
        long total = 0;
        foreach (var (file, rows) in small)
        {
            if (picked.Count >= 2 && total + rows > options.TargetFileRows)
            {
                break;
            }

            picked.Add(file);
            total += rows;
        }

        var schema = DeltaSchema.Read(table.Name, snapshot.Metadata);
        var folder = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var uploaded = new List<string>();
        try
        {
            engine.Create(table.Schema, schema, withKey: false);
            var local = new List<string>();
            foreach (var file in picked)
            {
                local.Add(await storage.LocalPathAsync(table.FilePath(file.Path), cancellationToken));
            }

            // Files whose key ranges do not overlap (an initial load's appends) are copied in key order without loading them.
            IReadOnlyList<string> output;
            if (table.Ranges(schema).InKeyOrder(picked) is { } ordered)
            {
                var path = picked.Select((f, i) => (f.Path, Local: local[i])).ToDictionary(p => p.Path, p => p.Local, StringComparer.Ordinal);
                output = engine.CopyFiles(table.Schema, table.Name, [.. ordered.Select(f => path[f.Path])], total, options.TargetFileRows, folder);
            }
            else
            {
                engine.Load(table.Schema, table.Name, local);
                var rows = engine.Count(table.Schema, table.Name);
                options.WorkingTableRows?.Invoke(rows);
                output = engine.WriteOut(table.Schema, table.Name, schema.PrimaryKey, rows, options.TargetFileRows, folder);
            }

            if (storage is BlobLakeStorage)
            {
                local.ForEach(File.Delete);
            }

            var now = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var adds = new List<AddFile>();
            foreach (var written in output)
            {
                var (_, stats) = FileStats.Compute(engine.Connection, written, schema);
                var name = Guid.NewGuid() + ".parquet";
                var path = table.FilePath(name);
                var size = new FileInfo(written).Length;
                await storage.UploadFileAsync(path, written, cancellationToken);
                uploaded.Add(path);
                adds.Add(new AddFile(name, size, now, DataChange: false, stats));
            }

            var removes = picked.Select(f => new RemoveFile(f.Path, now, DataChange: false, f.Size)).ToList();
            table.Snapshot = await table.Log.CommitAsync(snapshot, new DeltaCommit("OPTIMIZE", null, null, adds, removes), cancellationToken);
            DestinationLog.Compacted(logger, table.Path, table.Snapshot.Version, removes.Count, adds.Count);
        }
        catch (DeltaConcurrentCommitException)
        {
            DestinationLog.CompactionSkipped(logger, table.Path);
            foreach (var path in uploaded)
            {
                await storage.DeleteAsync(path, CancellationToken.None);
            }
        }
        finally
        {
            engine.Drop(table.Schema);
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Removed with the scratch folder on disposal.
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Tributary.Connectors.Synthetic;
using Tributary.Destinations.Delta;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

/// <summary>
/// The Delta destination's scenarios (issue 10), each in a child process like the others:
///   delta              — the synthetic initial load into a local Delta table (compare with <c>engine</c>, the DuckDB destination);
///   delta-incremental  — after an untimed initial load, two timed syncs that upsert 1 % of the keys: a contiguous range, then
///                        the same number spread evenly over the whole key space. Each reports the files and bytes it rewrote,
///                        read from the commits it added to the table's <c>_delta_log</c>, and its own peak RSS (the kernel's
///                        peak is reset before each sync), next to the initial load's.
/// </summary>
internal static class DeltaScenarios
{
    private const string Table = "synthetic_rows";
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);   // the synthetic connector's row 0

    public static async Task InitialLoadAsync(string directory, BenchOptions options)
    {
        await using var lake = new DeltaDestination(new DeltaDestinationOptions { Folder = Path.Combine(directory, "lake") });
        await SyncAsync(lake, directory, new SyntheticConnector(), Synthetic(options));
    }

    /// <summary>Loads the table untimed, then times the two incremental syncs; returns their total seconds and prints each one's details.</summary>
    public static async Task<double> IncrementalAsync(string directory, BenchOptions options)
    {
        var root = Path.Combine(directory, "lake");
        await using var lake = new DeltaDestination(new DeltaDestinationOptions { Folder = root });
        await SyncAsync(lake, directory, new SyntheticConnector(), Synthetic(options));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"initial load: peak RSS {PeakRss.Mb():N0} MB"));
        var log = Path.Combine(root, "synthetic", Table, "_delta_log");
        var changed = Math.Max(1, options.Rows / 100);
        var total = 0.0;
        foreach (var (name, stride) in new[] { ("contiguous", 1L), ("spread", options.Rows / changed) })
        {
            var before = LogScan.Versions(log);
            var rss = PeakRss.Reset();
            var start = Stopwatch.GetTimestamp();
            var first = stride == 1 ? options.Rows / 2 : 0;   // the contiguous range sits in the middle of the table
            await SyncAsync(lake, directory, new KeyUpserts(first, stride, changed), ConnectorConfiguration.Empty);
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            total += seconds;
            var rewritten = LogScan.Rewritten(log, before);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {changed:N0} keys upserted in {seconds:N2} s; files rewritten {rewritten.Files:N0} of {rewritten.FilesBefore:N0}, " +
                $"bytes rewritten {rewritten.Bytes / 1048576.0:N1} MB of {rewritten.BytesBefore / 1048576.0:N1} MB; " +
                $"peak RSS {PeakRss.Mb():N0} MB (RSS {rss:N0} MB at its start)"));
        }

        return total;
    }

    private static ConnectorConfiguration Synthetic(BenchOptions options) => new(new Dictionary<string, string>
    {
        ["rows"] = options.Rows.ToString(CultureInfo.InvariantCulture),
        ["checkpoint_every"] = options.CheckpointEvery.ToString(CultureInfo.InvariantCulture),
    });

    private static async Task SyncAsync(Tributary.Runtime.Destinations.IDestination lake, string directory, Connector connector, ConnectorConfiguration configuration)
    {
        var runner = new SyncRunner(lake, new FileStateStore(Path.Combine(directory, "state")));
        var run = await runner.RunAsync(new SyncRequest("synthetic", connector, configuration), CancellationToken.None);
        if (run.Outcome != RunOutcome.Succeeded)
        {
            throw new InvalidOperationException($"The sync failed: {run.Error}");
        }
    }

    /// <summary>Upserts <c>count</c> existing keys of the synthetic table, <c>first</c>, <c>first + stride</c>, …, with a new name.</summary>
    private sealed class KeyUpserts(long first, long stride, long count) : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
            new SyntheticConnector().Schema(configuration);

        public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
        {
            for (long n = 0; n < count; n++)
            {
                var i = first + n * stride;
                await context.UpsertAsync(Table, new
                {
                    id = i,
                    name = string.Create(CultureInfo.InvariantCulture, $"changed-{i}"),
                    amount = i * 0.5,
                    flag = i % 3 == 0,
                    created_at = Epoch.AddSeconds(i),
                }, cancellationToken);
            }

            await context.CheckpointAsync(new JsonObject { ["changed"] = count }, cancellationToken);
        }
    }

    /// <summary>The process's peak resident memory, from <c>/proc/self/status</c>; <see cref="Reset"/> makes the kernel start it again.</summary>
    private static class PeakRss
    {
        public static double Mb() => Read("VmHWM:");

        /// <summary>Resets the peak to the current RSS (writing 5 to <c>/proc/self/clear_refs</c>, Linux 4.0 on) and returns that RSS.</summary>
        public static double Reset()
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return Read("VmRSS:");
        }

        private static double Read(string field)
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
            return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
    }

    /// <summary>Reads a table's JSON commits (the Delta protocol's add and remove actions) to count what a sync rewrote.</summary>
    private static class LogScan
    {
        public static long Versions(string log) => Directory.GetFiles(log, "*.json").Length;

        /// <summary>The data files (and their bytes) that commits from version <paramref name="from"/> on removed, against the files active before them.</summary>
        public static (long Files, long Bytes, long FilesBefore, long BytesBefore) Rewritten(string log, long from)
        {
            var active = new Dictionary<string, long>(StringComparer.Ordinal);
            long files = 0, bytes = 0, filesBefore = 0, bytesBefore = 0;
            foreach (var commit in Directory.GetFiles(log, "*.json").Order(StringComparer.Ordinal))
            {
                var version = long.Parse(Path.GetFileNameWithoutExtension(commit), CultureInfo.InvariantCulture);
                if (version == from)
                {
                    (filesBefore, bytesBefore) = (active.Count, active.Values.Sum());
                }

                foreach (var line in File.ReadLines(commit).Where(l => l.Length > 0))
                {
                    var action = JsonNode.Parse(line)!.AsObject();
                    if (action["add"] is JsonObject add)
                    {
                        active[add["path"]!.GetValue<string>()] = add["size"]!.GetValue<long>();
                    }
                    else if (action["remove"] is JsonObject remove && active.Remove(remove["path"]!.GetValue<string>(), out var size)
                        && version >= from && remove["dataChange"]?.GetValue<bool>() != false)
                    {
                        files++;
                        bytes += size;
                    }
                }
            }

            return (files, bytes, filesBefore, bytesBefore);
        }
    }
}

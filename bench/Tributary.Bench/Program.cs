using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Tributary.Connectors.Synthetic;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

// Synthetic rows into DuckDB two ways, each in its own child process so peak memory is its own:
//   engine — the synthetic connector through SyncRunner into DuckDbDestination (what `tributary debug` does);
//   raw    — the same rows straight through a DuckDB appender into a table of the same shape and key.
// Usage: dotnet run -c Release --project bench/Tributary.Bench -- [--rows N] [--checkpoint-every N]
var options = BenchOptions.Parse(args);
if (options.Child is { } mode)
{
    return await Child.RunAsync(mode, options);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Tributary bench: {options.Rows:N0} synthetic rows into DuckDB, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
var raw = Parent.Measure("raw", options);
var engine = Parent.Measure("engine", options);
Console.WriteLine();
Console.WriteLine("path      rows/s       seconds   peak RSS");
foreach (var result in new[] { raw, engine })
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Mode,-8}  {result.RowsPerSecond,11:N0}  {result.Seconds,8:N2}  {result.PeakRssMb,6:N0} MB"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine / raw: {engine.RowsPerSecond / raw.RowsPerSecond:P0}"));
return 0;

internal sealed record BenchOptions(long Rows, long CheckpointEvery, string? Child, string Directory)
{
    public static BenchOptions Parse(string[] args)
    {
        long rows = 1_000_000, checkpointEvery = 100_000;
        string? child = null, directory = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows": rows = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--checkpoint-every": checkpointEvery = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--child": child = args[++i]; break;
                case "--dir": directory = args[++i]; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Use --rows N and --checkpoint-every N.");
            }
        }

        return new BenchOptions(rows, checkpointEvery, child, directory ?? "");
    }
}

internal sealed record Result(string Mode, double Seconds, double RowsPerSecond, double PeakRssMb);

internal static class Parent
{
    public static Result Measure(string mode, BenchOptions options)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tributary-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardOutput = true,
            };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            {
                start.ArgumentList.Add(typeof(Parent).Assembly.Location);   // started as `dotnet Tributary.Bench.dll`
            }

            foreach (var argument in new[] { "--child", mode, "--dir", directory, "--rows", options.Rows.ToString(CultureInfo.InvariantCulture), "--checkpoint-every", options.CheckpointEvery.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"The {mode} run failed: {output}");
            }

            var fields = output.Trim().Split(' ');
            var seconds = double.Parse(fields[0], CultureInfo.InvariantCulture);
            return new Result(mode, seconds, options.Rows / seconds, double.Parse(fields[1], CultureInfo.InvariantCulture) / 1024);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

internal static class Child
{
    public static async Task<int> RunAsync(string mode, BenchOptions options)
    {
        var database = Path.Combine(options.Directory, "warehouse.db");
        var stopwatch = Stopwatch.StartNew();
        if (mode == "raw")
        {
            Raw(database, options.Rows);
        }
        else
        {
            await EngineAsync(database, options);
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seconds} {PeakRssKb()}"));
        return 0;
    }

    private static async Task EngineAsync(string database, BenchOptions options)
    {
        await using var warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = database });
        var runner = new SyncRunner(warehouse, new FileStateStore(options.Directory));
        var configuration = new ConnectorConfiguration(new Dictionary<string, string>
        {
            ["rows"] = options.Rows.ToString(CultureInfo.InvariantCulture),
            ["checkpoint_every"] = options.CheckpointEvery.ToString(CultureInfo.InvariantCulture),
        });
        var run = await runner.RunAsync(new SyncRequest("synthetic", new SyntheticConnector(), configuration), CancellationToken.None);
        if (run.Outcome != RunOutcome.Succeeded)
        {
            throw new InvalidOperationException($"The sync failed: {run.Error}");
        }
    }

    // The baseline: the same rows, values and table shape (key and system columns included), one appender.
    private static void Raw(string database, long rows)
    {
        using var connection = new DuckDBConnection($"Data Source={database}");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE SCHEMA synthetic;
                CREATE TABLE synthetic.synthetic_rows (
                    id BIGINT NOT NULL PRIMARY KEY, name VARCHAR, amount DOUBLE, flag BOOLEAN, created_at TIMESTAMPTZ,
                    _tributary_synced TIMESTAMPTZ, _tributary_deleted BOOLEAN);
                """;
            create.ExecuteNonQuery();
        }

        var epoch = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var synced = TimeProvider.System.GetUtcNow();
        using var appender = connection.CreateAppender("synthetic", "synthetic_rows");
        for (long i = 0; i < rows; i++)
        {
            appender.CreateRow()
                .AppendValue(i)
                .AppendValue(string.Create(CultureInfo.InvariantCulture, $"name-{i}"))
                .AppendValue(i * 0.25)
                .AppendValue(i % 3 == 0)
                .AppendValue(epoch.AddSeconds(i))
                .AppendValue(synced)
                .AppendValue(false)
                .EndRow();
        }
    }

    private static long PeakRssKb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Npgsql;
using NpgsqlTypes;
using Tributary.Connectors.Synthetic;
using Tributary.Destinations.DuckDb;
using Tributary.Destinations.Postgres;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Tributary.Testing;

// Synthetic rows three ways per destination, each in its own child process so peak memory is its own:
//   raw            — the rows straight through a DuckDB appender into a table of the same shape and key;
//   engine         — the synthetic connector through SyncRunner into DuckDbDestination (what `tributary debug` does);
//   interleaved    — the same upserts with the connector's interleaved shape: a delete of an earlier key after every
//                    second upsert and an update of another key, anywhere in the table, after every fifth (1.7
//                    operations per row);
//   raw-tables, tables — a tenth of the rows spread over 1,000 tables, 100 rows each for a million rows, one table after
//                    another (a database's many small tables): one appender a table, and the engine;
//   raw-api, api   — a tenth of the rows as a REST API gives them (the connector's api shape): JSON pages of 1,000 records
//                    of 50 fields, parsed into a JsonDocument and appended field by field, and through the engine, the
//                    connector reading the pages with the SDK's RestClient and upserting each record as the JsonObject it
//                    gives, every column but the key inferred;
//   pg-raw, pg-engine, pg-interleaved — the same against PostgreSQL (the raw path is one binary COPY);
//   delta, delta-incremental — the Delta destination in a local folder: the initial load next to the DuckDB destination's
//                    (engine), then incremental upserts of 1 % of the keys (DeltaScenarios.cs).
// PostgreSQL runs in a throwaway cluster the bench makes (the Debian postgresql package), one database per path.
// Each path runs --rounds times (3 by default), interleaved with the others, and its median round is reported.
// Each child is a fresh process, as `tributary debug` is; with --warm, each DuckDB path first runs once on 50,000 rows in
// the same process, as a Functions host that has synced before, and only the second run is timed.
// Usage: dotnet run -c Release --project bench/Tributary.Bench -- [--rows N] [--checkpoint-every N] [--rounds N] [--destination duckdb|postgres|delta|all] [--warm]
//   --http [--records N] [--page-size N] [--latency MS] — the HTTP toolkit against a paginated API that answers each request
//                    after 5 ms (or MS), beside a raw HttpClient loop (HttpScenarios.cs).
if (args is [var http and ("--http" or "--http-api"), .. var rest])
{
    string? Value(string name) => rest.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    var records = long.Parse(Value("--records") ?? "1000000", CultureInfo.InvariantCulture);
    var pageSize = int.Parse(Value("--page-size") ?? "1000", CultureInfo.InvariantCulture);
    var latency = TimeSpan.FromMilliseconds(int.Parse(Value("--latency") ?? "5", CultureInfo.InvariantCulture));
    return http == "--http" ? await HttpScenarios.RunAsync(records, pageSize, latency) : await HttpScenarios.ServeAsync(records, pageSize, latency);
}

var options = BenchOptions.Parse(args);
if (options.Child is { } mode)
{
    return await Child.RunAsync(mode, options);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Tributary bench: {options.Rows:N0} synthetic rows into {options.Destination}, {options.Rounds} rounds, {(options.Warm ? "warm" : "fresh")} processes, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));

// Every path runs once a round, the paths of a destination one after another, so a noisy neighbour slows them alike; each
// path's median round is reported, with every round's seconds beside it.
var paths = new List<string>();
if (options.Destination is "duckdb" or "all")
{
    paths.AddRange(["raw", "engine", "interleaved", "raw-tables", "tables", "raw-api", "api"]);
}

if (options.Destination is "postgres" or "all")
{
    paths.AddRange(["pg-raw", "pg-engine", "pg-interleaved"]);
}

if (options.Destination is "delta" or "all")
{
    paths.AddRange(paths.Contains("engine") ? ["delta", "delta-incremental"] : ["engine", "delta", "delta-incremental"]);
}

var runs = paths.ToDictionary(path => path, _ => new List<Result>(), StringComparer.Ordinal);
await using var cluster = options.Destination is "postgres" or "all" ? await PostgresServer.StartAsync(CancellationToken.None) : null;
for (var round = 0; round < options.Rounds; round++)
{
    foreach (var path in paths)
    {
        runs[path].Add(Parent.Measure(path, path.StartsWith("pg-", StringComparison.Ordinal)
            ? options with { ConnectionString = await cluster!.CreateDatabaseAsync(CancellationToken.None) }
            : options));
    }
}

var medians = paths.ToDictionary(path => path, path => runs[path].OrderBy(r => r.Seconds).ElementAt(options.Rounds / 2), StringComparer.Ordinal);
Console.WriteLine();
Console.WriteLine("path                 rows/s   operations/s    seconds   peak RSS   seconds, every round");
foreach (var result in medians.Values.Where(r => r.Mode != "delta-incremental"))
{
    var every = string.Join(" / ", runs[result.Mode].Select(r => r.Seconds.ToString("N2", CultureInfo.InvariantCulture)));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Mode,-17}  {result.RowsPerSecond,9:N0}  {result.OperationsPerSecond,13:N0}  {result.Seconds,8:N2}  {result.PeakRssMb,6:N0} MB   {every}"));
}

foreach (var (raw, engine, interleaved) in paths.Where(p => p.EndsWith("raw", StringComparison.Ordinal))
    .Select(p => p[..^"raw".Length]).Select(prefix => (medians[prefix + "raw"], medians[prefix + "engine"], medians[prefix + "interleaved"])))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{engine.Mode} / {raw.Mode}: {engine.RowsPerSecond / raw.RowsPerSecond:P0}; {interleaved.Mode} / {engine.Mode}: {interleaved.RowsPerSecond / engine.RowsPerSecond:P0} in rows/s, {interleaved.OperationsPerSecond / engine.OperationsPerSecond:P0} in operations/s"));
}

if (medians.TryGetValue("tables", out var tables))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"tables / raw-tables ({ManyTables.Count:N0} tables of {ManyTables.Rows(options.Rows) / ManyTables.Count:N0} rows): {tables.RowsPerSecond / medians["raw-tables"].RowsPerSecond:P0}"));
}

if (medians.TryGetValue("api", out var api))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"api / raw-api ({ApiRecords.Rows(options.Rows):N0} JSON records of {SyntheticConnector.ApiFields + 1} fields): {api.RowsPerSecond / medians["raw-api"].RowsPerSecond:P0}"));
}

if (medians.TryGetValue("delta", out var delta))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"delta / engine (the DuckDB destination): {delta.RowsPerSecond / medians["engine"].RowsPerSecond:P0}; incremental, after a load of {options.Rows:N0} rows (median round):"));
    Console.Write(medians["delta-incremental"].Details);
}

return 0;

internal sealed record BenchOptions(long Rows, long CheckpointEvery, string? Child, string Directory, string Destination = "duckdb", string? ConnectionString = null, int Rounds = 3, bool Warm = false)
{
    public static BenchOptions Parse(string[] args)
    {
        long rows = 1_000_000, checkpointEvery = 100_000;
        var rounds = 3;
        var warm = false;
        string? child = null, directory = null, connectionString = null;
        var destination = "duckdb";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows": rows = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--checkpoint-every": checkpointEvery = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--child": child = args[++i]; break;
                case "--dir": directory = args[++i]; break;
                case "--destination": destination = args[++i]; break;
                case "--connection-string": connectionString = args[++i]; break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warm": warm = true; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Use --rows N, --checkpoint-every N, --rounds N, --destination duckdb|postgres|delta|all and --warm.");
            }
        }

        if (destination is not ("duckdb" or "postgres" or "delta" or "all"))
        {
            throw new ArgumentException($"Unknown destination '{destination}'. Use duckdb, postgres, delta or all.");
        }

        if (rounds < 1)
        {
            throw new ArgumentException($"--rounds is {rounds}; it must be 1 or more.");
        }

        if (warm && destination != "duckdb")
        {
            throw new ArgumentException("--warm measures the DuckDB paths only; use it with --destination duckdb.");
        }

        return new BenchOptions(rows, checkpointEvery, child, directory ?? "", destination, connectionString, rounds, warm);
    }
}

/// <summary>
/// One path's figures; <see cref="Details"/> holds the lines a child printed before them. Rows are the table's rows (the
/// upserts); operations also count the interleaved path's updates and deletes.
/// </summary>
internal sealed record Result(string Mode, double Seconds, double RowsPerSecond, double OperationsPerSecond, double PeakRssMb, string Details = "");

internal static class Parent
{
    public static Result Measure(string mode, BenchOptions options)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tributary-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var start = StartInfo();
            foreach (var argument in new[] { "--child", mode, "--dir", directory, "--rows", options.Rows.ToString(CultureInfo.InvariantCulture), "--checkpoint-every", options.CheckpointEvery.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            if (options.ConnectionString is { } connectionString)
            {
                start.ArgumentList.Add("--connection-string");
                start.ArgumentList.Add(connectionString);
            }

            if (options.Warm)
            {
                start.ArgumentList.Add("--warm");
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"The {mode} run failed: {output}");
            }

            var lines = output.Trim().Split('\n');
            var fields = lines[^1].Split(' ');
            var seconds = double.Parse(fields[0], CultureInfo.InvariantCulture);
            var details = string.Concat(lines[..^1].Select(line => "  " + line.TrimEnd() + Environment.NewLine));
            var operations = double.Parse(fields[2], CultureInfo.InvariantCulture);
            var rows = mode.EndsWith("tables", StringComparison.Ordinal) ? ManyTables.Rows(options.Rows)
                : mode.EndsWith("api", StringComparison.Ordinal) ? ApiRecords.Rows(options.Rows) : options.Rows;
            return new Result(mode, seconds, rows / seconds, operations / seconds, double.Parse(fields[1], CultureInfo.InvariantCulture) / 1024, details);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>This bench again, as a child process; add its arguments.</summary>
    public static ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Parent).Assembly.Location);   // started as `dotnet Tributary.Bench.dll`
        }

        return start;
    }
}

internal static class Child
{
    private const long WarmUpRows = 50_000;

    public static async Task<int> RunAsync(string mode, BenchOptions options)
    {
        var database = Path.Combine(options.Directory, "warehouse.db");
        if (options.Warm)
        {
            var warmUp = Directory.CreateDirectory(Path.Combine(options.Directory, "warm-up")).FullName;
            if (mode == "raw")
            {
                Raw(Path.Combine(warmUp, "warehouse.db"), WarmUpRows);
            }
            else
            {
                await EngineAsync(Path.Combine(warmUp, "warehouse.db"), options with { Rows = WarmUpRows, Directory = warmUp }, mode);
            }
        }

        var stopwatch = Stopwatch.StartNew();
        double? timed = null;   // a path that times only part of its work
        long operations = options.Rows;
        switch (mode)
        {
            case "raw":
                Raw(database, options.Rows);
                break;
            case "engine" or "interleaved":
                operations = await EngineAsync(database, options, mode);
                break;
            case "raw-tables":
                operations = ManyTables.Rows(options.Rows);
                ManyTables.Raw(database, operations);
                break;
            case "tables":
                operations = await EngineAsync(database, options with { Rows = ManyTables.Rows(options.Rows) }, mode);
                break;
            case "raw-api":
                operations = ApiRecords.Rows(options.Rows);
                ApiRecords.Raw(database, operations);
                break;
            case "api":
                operations = await EngineAsync(database, options with { Rows = ApiRecords.Rows(options.Rows) }, mode);
                break;
            case "pg-raw":
                await PostgresRawAsync(Required(options.ConnectionString), options.Rows);
                break;
            case "pg-engine" or "pg-interleaved":
                operations = await PostgresEngineAsync(Required(options.ConnectionString), options, mode);
                break;
            case "delta":
                await DeltaScenarios.InitialLoadAsync(options.Directory, options);
                break;
            case "delta-incremental":
                timed = await DeltaScenarios.IncrementalAsync(options.Directory, options);
                break;
            default:
                throw new ArgumentException($"Unknown path '{mode}'.");
        }

        var seconds = timed ?? stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seconds} {PeakRssKb()} {operations}"));
        return 0;
    }

    private static string Required(string? connectionString) =>
        connectionString ?? throw new ArgumentException("The PostgreSQL paths need --connection-string.");

    private static async Task<long> EngineAsync(string database, BenchOptions options, string mode)
    {
        await using var warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = database });
        return await SyncAsync(warehouse, options, ShapeOf(mode), mode == "tables" ? ManyTables.Count : 1);
    }

    private static async Task<long> PostgresEngineAsync(string connectionString, BenchOptions options, string mode)
    {
        await using var warehouse = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString });
        return await SyncAsync(warehouse, options, ShapeOf(mode));
    }

    // The synthetic connector's shape for a path.
    private static string ShapeOf(string mode) => mode == "api" ? "api" : mode.EndsWith("interleaved", StringComparison.Ordinal) ? "interleaved" : "upserts";

    // Returns the operations the connector made: upserts, updates and deletes.
    private static async Task<long> SyncAsync(Tributary.Runtime.Destinations.IDestination warehouse, BenchOptions options, string shape, int tables = 1)
    {
        var runner = new SyncRunner(warehouse, new FileStateStore(options.Directory));
        var configuration = new ConnectorConfiguration(new Dictionary<string, string>
        {
            ["rows"] = options.Rows.ToString(CultureInfo.InvariantCulture),
            ["checkpoint_every"] = options.CheckpointEvery.ToString(CultureInfo.InvariantCulture),
            ["shape"] = shape,
            ["tables"] = tables.ToString(CultureInfo.InvariantCulture),
        });
        var run = await runner.RunAsync(new SyncRequest("synthetic", new SyntheticConnector(), configuration), CancellationToken.None);
        if (run.Outcome != RunOutcome.Succeeded)
        {
            throw new InvalidOperationException($"The sync failed: {run.Error}");
        }

        return run.Total(t => t.Upserts + t.Updates + t.Deletes);
    }

    // The baseline: the same rows, values and table shape (key and system columns included), one appender.
    private static void Raw(string database, long rows)
    {
        using var connection = new DuckDBConnection($"Data Source={database}");
        connection.Open();
        Append(connection, "synthetic_rows", 0, rows);
    }

    // Rows [from, to) into a new table of the synthetic connector's shape, through one appender.
    internal static void Append(DuckDBConnection connection, string table, long from, long to)
    {
        using (var create = connection.CreateCommand())
        {
            create.CommandText = $"""
                CREATE SCHEMA IF NOT EXISTS synthetic;
                CREATE TABLE synthetic.{table} (
                    id BIGINT NOT NULL PRIMARY KEY, name VARCHAR, amount DOUBLE, flag BOOLEAN, created_at TIMESTAMPTZ,
                    _tributary_synced TIMESTAMPTZ, _tributary_deleted BOOLEAN);
                """;
            create.ExecuteNonQuery();
        }

        var epoch = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var synced = TimeProvider.System.GetUtcNow();
        using var appender = connection.CreateAppender("synthetic", table);
        for (var i = from; i < to; i++)
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

    // The PostgreSQL baseline: the same rows, values and table shape (key and system columns included), one binary COPY.
    private static async Task PostgresRawAsync(string connectionString, long rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            """
            CREATE SCHEMA synthetic;
            CREATE TABLE synthetic.synthetic_rows (
                id bigint NOT NULL PRIMARY KEY, name text, amount double precision, flag boolean, created_at timestamptz,
                _tributary_synced timestamptz, _tributary_deleted boolean);
            """, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var synced = TimeProvider.System.GetUtcNow().UtcDateTime;
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY synthetic.synthetic_rows (id, name, amount, flag, created_at, _tributary_synced, _tributary_deleted) FROM STDIN (FORMAT BINARY)");
        for (long i = 0; i < rows; i++)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(i, NpgsqlDbType.Bigint);
            await importer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"name-{i}"), NpgsqlDbType.Text);
            await importer.WriteAsync(i * 0.25, NpgsqlDbType.Double);
            await importer.WriteAsync(i % 3 == 0, NpgsqlDbType.Boolean);
            await importer.WriteAsync(epoch.AddSeconds(i), NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(synced, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(false, NpgsqlDbType.Boolean);
        }

        await importer.CompleteAsync();
    }

    private static long PeakRssKb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}

// The many-small-tables shape: a tenth of the bench's rows over a thousand tables of the synthetic connector.
internal static class ManyTables
{
    public const int Count = 1000;

    public static long Rows(long rows) => Math.Max(rows / 10, Count);

    // The baseline: each table created and its rows appended, one appender a table, one table after another.
    public static void Raw(string database, long rows)
    {
        using var connection = new DuckDBConnection($"Data Source={database}");
        connection.Open();
        for (var t = 0; t < Count; t++)
        {
            Child.Append(connection, string.Create(CultureInfo.InvariantCulture, $"synthetic_rows_{t + 1}"), rows * t / Count, rows * (t + 1) / Count);
        }
    }
}

// The REST API's shape: a tenth of the bench's rows as the synthetic connector's api pages of JSON records.
internal static class ApiRecords
{
    public static long Rows(long rows) => Math.Max(rows / 10, SyntheticConnector.ApiPageSize);

    // The baseline: the same pages, each rendered into one reused buffer (as the connector's source does) and parsed into a
    // JsonDocument, every record's fields appended as the types they have, through one appender, into a table of the
    // engine's shape (the key, the fields in order, the system columns).
    public static void Raw(string database, long rows)
    {
        using var connection = new DuckDBConnection($"Data Source={database}");
        connection.Open();
        var fields = string.Concat(Enumerable.Range(1, SyntheticConnector.ApiFields).Select(k => string.Create(CultureInfo.InvariantCulture,
            $"field_{k} {(k % 4) switch { 1 => "VARCHAR", 2 => "DOUBLE", 3 => "BOOLEAN", _ => "BIGINT" }}, ")));
        using (var create = connection.CreateCommand())
        {
            create.CommandText = $"""
                CREATE SCHEMA synthetic;
                CREATE TABLE synthetic.synthetic_rows (id BIGINT NOT NULL PRIMARY KEY, {fields}_tributary_synced TIMESTAMPTZ, _tributary_deleted BOOLEAN);
                """;
            create.ExecuteNonQuery();
        }

        var synced = TimeProvider.System.GetUtcNow();
        var buffer = new ArrayBufferWriter<byte>();
        using var appender = connection.CreateAppender("synthetic", "synthetic_rows");
        for (long first = 0; first < rows; first += SyntheticConnector.ApiPageSize)
        {
            buffer.ResetWrittenCount();
            SyntheticConnector.WriteApiPage(buffer, first, Math.Min(SyntheticConnector.ApiPageSize, rows - first));
            using var page = JsonDocument.Parse(buffer.WrittenMemory);
            foreach (var record in page.RootElement.EnumerateArray())
            {
                var row = appender.CreateRow();
                var k = 0;
                foreach (var field in record.EnumerateObject())
                {
                    var value = field.Value;
                    row = (k++ % 4) switch
                    {
                        1 => row.AppendValue(value.GetString()),
                        2 => row.AppendValue(value.GetDouble()),
                        3 => row.AppendValue(value.GetBoolean()),
                        _ => row.AppendValue(value.GetInt64()),
                    };
                }

                row.AppendValue(synced).AppendValue(false).EndRow();
            }
        }
    }
}

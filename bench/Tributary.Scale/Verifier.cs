using System.Globalization;
using Azure.Storage.Blobs;
using Tributary.Azure.State;
using Tributary.Runtime.State;
using Tributary.Testing;

namespace Tributary.Scale;

/// <summary>
/// Checks what the simulation left against what must hold, and measures it: each connection's due times each queued once (the
/// instances' journals); every sync ended Succeeded, however many times it paused, and no two runs of a connection overlap
/// (the run records in the state store); each connection's state and tables are its own and complete (the state store, and
/// the lake every instance writes, the host's default Delta destination in a container of the storage account); the queues are
/// empty.
/// </summary>
internal sealed class Verifier(
    ScaleOptions options, IReadOnlyList<SimulatedConnection> fleet, BlobStateStore store, BlobContainerClient lake, IReadOnlyList<string> instanceDirectories, Kill? kill)
{
    private readonly List<string> _failures = [];

    public async Task<ScaleReport> VerifyAsync(long requests, int queued, int poisoned)
    {
        var journal = instanceDirectories
            .Select(static directory => Path.Combine(directory, Coordinator.JournalFile))
            .Where(File.Exists)
            .SelectMany(Journal.Read)
            .ToList();
        var dueOfSync = CheckDueTimes(journal);

        var latencies = new List<TimeSpan>();
        int runs = 0, syncs = 0, paused = 0, open = 0;
        foreach (var connection in fleet)
        {
            var records = new List<RunRecord>();
            await foreach (var record in store.ListRunsAsync(connection.Id, CancellationToken.None))
            {
                records.Add(record);
            }

            runs += records.Count;
            open += records.Count(static r => r.EndedAt is null);
            CheckRuns(connection, records);
            foreach (var sync in records.GroupBy(static r => r.SyncId))
            {
                syncs++;
                var ordered = sync.OrderBy(static r => r.StartedAt).ToList();
                if (ordered.Count > 1)
                {
                    paused++;
                }

                if (ordered[^1].Outcome != RunOutcome.Succeeded)
                {
                    Fail($"{connection.Id}: sync {sync.Key} ended {ordered[^1].Outcome} ({ordered[^1].Error}) after {ordered.Count} runs");
                }

                if (dueOfSync.TryGetValue(sync.Key, out var due))
                {
                    latencies.Add(ordered[0].StartedAt - due);
                }
                else
                {
                    Fail($"{connection.Id}: sync {sync.Key} has runs but was never queued by the scheduler");
                }
            }

            await CheckStateAsync(connection);
        }

        if (open > 0 && kill is null)
        {
            Fail($"{open} run records never ended, and no instance was killed");
        }

        var tables = await CheckLakeAsync();
        if (queued != 0 || poisoned != 0)
        {
            Fail($"the run queue holds {queued} messages and the poison queue {poisoned}; both must be empty");
        }

        latencies.Sort();
        var connectionHours = fleet.Count * options.Minutes / 60.0;
        return new ScaleReport
        {
            Options = options,
            DueTimes = dueOfSync.Count,
            Syncs = syncs,
            Runs = runs,
            PausedSyncs = paused,
            OpenRuns = open,
            Rows = tables,
            LatencyP50 = Percentile(latencies, 0.50),
            LatencyP99 = Percentile(latencies, 0.99),
            LatencyMax = latencies.Count == 0 ? TimeSpan.Zero : latencies[^1],
            Requests = requests,
            RequestsPerConnectionHour = requests / connectionHours,
            Kill = kill,
            Failures = _failures,
        };
    }

    // Every due time of every connection in the simulated span queued exactly once (by whichever instance claimed it).
    private Dictionary<string, DateTimeOffset> CheckDueTimes(List<JournalEntry> journal)
    {
        var queued = journal.Where(static e => e.Kind == "queued").ToList();
        var end = options.Start.AddMinutes(options.Minutes - 1);
        foreach (var connection in fleet)
        {
            var expected = connection.DueTimes(options.Start, end);
            var actual = queued.Where(e => e.Connection == connection.Id).Select(static e => e.RequestedAt).ToList();
            var missing = expected.Except(actual).ToList();
            var twice = actual.GroupBy(static d => d).Where(static g => g.Count() > 1).Select(static g => g.Key).ToList();
            var extra = actual.Except(expected).ToList();
            if (missing.Count > 0 || twice.Count > 0 || extra.Count > 0)
            {
                Fail($"{connection.Id} ({connection.Schedule}): due times missing [{Times(missing)}], queued twice [{Times(twice)}], not due [{Times(extra)}]");
            }
        }

        return queued.GroupBy(static e => e.SyncId).ToDictionary(static g => g.Key, static g => g.First().RequestedAt);
    }

    // No two runs of the connection overlap; a run a killed instance left open counts as ending when it was killed.
    private void CheckRuns(SimulatedConnection connection, List<RunRecord> records)
    {
        var ordered = records.OrderBy(static r => r.StartedAt).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            var before = ordered[i - 1];
            var ended = before.EndedAt ?? kill?.At ?? DateTimeOffset.MaxValue;
            if (ended > ordered[i].StartedAt)
            {
                Fail($"{connection.Id}: run {before.Id} ({before.StartedAt:HH:mm:ss.fff}-{before.EndedAt:HH:mm:ss.fff}) overlaps run {ordered[i].Id} (from {ordered[i].StartedAt:HH:mm:ss.fff})");
            }
        }

        foreach (var failed in records.Where(static r => r.Outcome == RunOutcome.Failed))
        {
            Fail($"{connection.Id}: run {failed.Id} failed ({failed.ErrorKind}): {failed.Error}");
        }
    }

    // The connection's own state: synthetic's cursor at its own row count.
    private async Task CheckStateAsync(SimulatedConnection connection)
    {
        if (connection.Connector != "synthetic")
        {
            return;
        }

        var state = await store.ReadAsync(connection.Id, CancellationToken.None);
        var next = state.State["next"]?.GetValue<long>();
        if (next != (Synced(connection) ? connection.Rows : null))
        {
            Fail($"{connection.Id}: state next is {next?.ToString(CultureInfo.InvariantCulture) ?? "absent"}, expected {(Synced(connection) ? $"its {connection.Rows} rows" : "absent: it was never due")}");
        }
    }

    // Every schema of the lake is a connection's, with only its connector's tables; each synthetic connection's table holds
    // exactly its rows 0..rows-1, each once and as the connector makes it, and each hello connection's its one row. The lake is
    // read independently of the writer: DeltaWarehouseReader replays each table's log and reads its active Parquet files.
    private async Task<long> CheckLakeAsync()
    {
        using var reader = new DeltaWarehouseReader(lake);
        var byId = fleet.ToDictionary(static c => c.Id, StringComparer.Ordinal);
        var ids = fleet.ToDictionary(static c => c.Id, static _ => new HashSet<long>(), StringComparer.Ordinal);
        var rowCounts = fleet.ToDictionary(static c => c.Id, static _ => 0L, StringComparer.Ordinal);
        var messages = fleet.ToDictionary(static c => c.Id, static _ => new List<string>(), StringComparer.Ordinal);
        List<string> synthetic = [], hello = [];
        foreach (var row in await reader.RowsAsync("SELECT table_schema, table_name FROM information_schema.tables", CancellationToken.None))
        {
            var (schema, table) = ((string)row[0]!, (string)row[1]!);
            switch (byId.TryGetValue(schema, out var owner) ? owner.Connector : null, table)
            {
                case (null, _):
                    Fail($"lake: schema {schema} (table {table}) belongs to no connection");
                    break;
                case ("synthetic", "synthetic_rows"):
                    synthetic.Add(schema);
                    break;
                case ("hello", "hello"):
                    hello.Add(schema);
                    break;
                default:
                    Fail($"lake: table {schema}.{table} is not one connection {schema} ({owner!.Connector}) writes");
                    break;
            }
        }

        foreach (var row in await UnionAsync(reader, synthetic, "synthetic_rows", $"id, {WrongSyntheticRow}", "true"))
        {
            var schema = (string)row[0]!;
            var id = Convert.ToInt64(row[1], CultureInfo.InvariantCulture);
            rowCounts[schema]++;
            ids[schema].Add(id);
            if (Convert.ToBoolean(row[2], CultureInfo.InvariantCulture))
            {
                Fail($"lake: row {id} of {schema}.synthetic_rows is not as the connector makes it");
            }
        }

        foreach (var row in await UnionAsync(reader, hello, "hello", "message", "NOT _tributary_deleted"))
        {
            messages[(string)row[0]!].Add((string)row[1]!);
        }

        long rows = 0;
        foreach (var connection in fleet)
        {
            if (!Synced(connection))
            {
                if (ids[connection.Id].Count > 0 || messages[connection.Id].Count > 0)
                {
                    Fail($"{connection.Id}: was never due, yet the lake holds rows of it");
                }
            }
            else if (connection.Connector == "synthetic")
            {
                var found = ids[connection.Id];
                rows += found.Count;
                if (found.Count != connection.Rows || found.Min() != 0 || found.Max() != connection.Rows - 1 || rowCounts[connection.Id] != found.Count)
                {
                    Fail($"{connection.Id}: the lake holds {rowCounts[connection.Id]} rows, {found.Count} distinct{(found.Count > 0 ? $" (ids {found.Min()}..{found.Max()})" : string.Empty)}, expected ids 0..{connection.Rows - 1} once each");
                }
            }
            else
            {
                rows += messages[connection.Id].Count;
                if (messages[connection.Id] is not ["hello, world!"])
                {
                    Fail($"{connection.Id}: hello holds [{string.Join(", ", messages[connection.Id])}], expected the one row 'hello, world!'");
                }
            }
        }

        return rows;
    }

    // The rows of one table in each schema that match the condition, in one query: the schema, then the columns.
    private static async Task<IReadOnlyList<object?[]>> UnionAsync(WarehouseReader reader, List<string> schemas, string table, string columns, string where) =>
        schemas.Count == 0
            ? []
            : await reader.RowsAsync(
                string.Join("\nUNION ALL\n", schemas.Select(schema =>
                    $"SELECT '{schema}', {columns} FROM {WarehouseReader.Table(schema, table)} WHERE {where}")),
                CancellationToken.None);

    // Whether the connection fell due within the simulated span (an hourly one may not, in a short simulation).
    private bool Synced(SimulatedConnection connection) =>
        connection.DueTimes(options.Start, options.Start.AddMinutes(options.Minutes - 1)).Count > 0;

    private const string WrongSyntheticRow =
        """
        name IS DISTINCT FROM 'name-' || CAST(id AS VARCHAR)
           OR amount IS DISTINCT FROM id * 0.25
           OR flag IS DISTINCT FROM (id % 3 = 0)
           OR created_at IS DISTINCT FROM TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(id)
           OR _tributary_deleted
        """;

    private static TimeSpan Percentile(List<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Times(IEnumerable<DateTimeOffset> times) =>
        string.Join(", ", times.Select(static t => t.ToString("HH:mm", CultureInfo.InvariantCulture)));

    private void Fail(string failure) => _failures.Add(failure);
}

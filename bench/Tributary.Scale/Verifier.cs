using System.Globalization;
using DuckDB.NET.Data;
using Tributary.Azure.State;
using Tributary.Runtime.State;

namespace Tributary.Scale;

/// <summary>
/// Checks what the simulation left against what must hold, and measures it: each connection's due times each queued once (the
/// instances' journals); every sync ended Succeeded, however many times it paused, and no two runs of a connection overlap
/// (the run records in the state store); each connection's state and tables are its own and complete (the state store, and
/// the warehouses of all instances together: each instance writes its own DuckDB file, as each Functions instance does); the
/// queues are empty.
/// </summary>
internal sealed class Verifier(ScaleOptions options, IReadOnlyList<SimulatedConnection> fleet, BlobStateStore store, IReadOnlyList<string> instanceDirectories, Kill? kill)
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

        var tables = CheckWarehouses();
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

    // Every schema is a connection's, with only its connector's tables; across the instances' warehouses each synthetic
    // connection has exactly its rows 0..rows-1, each as the connector makes it, and each hello connection its one row.
    private long CheckWarehouses()
    {
        var byId = fleet.ToDictionary(static c => c.Id, StringComparer.Ordinal);
        var ids = fleet.ToDictionary(static c => c.Id, static _ => new HashSet<long>(), StringComparer.Ordinal);
        var messages = fleet.ToDictionary(static c => c.Id, static _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var path in instanceDirectories.Select(static d => Path.Combine(d, "warehouse.db")).Where(File.Exists))
        {
            using var connection = new DuckDBConnection($"Data Source={path}");
            connection.Open();
            foreach (var (schema, table) in Query(connection, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = current_database()", static r => (r.GetString(0), r.GetString(1))))
            {
                if (schema == "main" && table.StartsWith("_tributary", StringComparison.Ordinal))
                {
                    continue;
                }

                if (!byId.TryGetValue(schema, out var owner))
                {
                    Fail($"{path}: schema {schema} (table {table}) belongs to no connection");
                    continue;
                }

                var quoted = $"\"{schema}\".\"{table}\"";
                switch (owner.Connector, table)
                {
                    case (_, var system) when system.StartsWith("_tributary", StringComparison.Ordinal):
                        break;
                    case ("synthetic", "synthetic_rows"):
                        var wrong = Query(connection, WrongSyntheticRows(quoted), static r => r.GetInt64(0)).Single();
                        if (wrong > 0)
                        {
                            Fail($"{path}: {wrong} rows of {quoted} are not as the connector makes them");
                        }

                        ids[schema].UnionWith(Query(connection, $"SELECT id FROM {quoted}", static r => r.GetInt64(0)));
                        break;
                    case ("hello", "hello"):
                        messages[schema].UnionWith(Query(connection, $"SELECT message FROM {quoted} WHERE NOT _tributary_deleted", static r => r.GetString(0)));
                        break;
                    default:
                        Fail($"{path}: table {quoted} is not one connection {schema} ({owner.Connector}) writes");
                        break;
                }
            }
        }

        long rows = 0;
        foreach (var connection in fleet)
        {
            if (!Synced(connection))
            {
                if (ids[connection.Id].Count > 0 || messages[connection.Id].Count > 0)
                {
                    Fail($"{connection.Id}: was never due, yet the warehouses hold rows of it");
                }
            }
            else if (connection.Connector == "synthetic")
            {
                var found = ids[connection.Id];
                rows += found.Count;
                if (found.Count != connection.Rows || found.Min() != 0 || found.Max() != connection.Rows - 1)
                {
                    Fail($"{connection.Id}: the warehouses hold {found.Count} distinct rows{(found.Count > 0 ? $" (ids {found.Min()}..{found.Max()})" : string.Empty)}, expected ids 0..{connection.Rows - 1}");
                }
            }
            else
            {
                rows += messages[connection.Id].Count;
                if (messages[connection.Id] is not { Count: 1 } one || !one.Contains("hello, world!"))
                {
                    Fail($"{connection.Id}: hello holds [{string.Join(", ", messages[connection.Id])}], expected the one row 'hello, world!'");
                }
            }
        }

        return rows;
    }

    // Whether the connection fell due within the simulated span (an hourly one may not, in a short simulation).
    private bool Synced(SimulatedConnection connection) =>
        connection.DueTimes(options.Start, options.Start.AddMinutes(options.Minutes - 1)).Count > 0;

    private static string WrongSyntheticRows(string table) =>
        $"""
        SELECT count(*) FROM {table}
        WHERE name IS DISTINCT FROM 'name-' || CAST(id AS VARCHAR)
           OR amount IS DISTINCT FROM id * 0.25
           OR flag IS DISTINCT FROM (id % 3 = 0)
           OR created_at IS DISTINCT FROM TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(id)
           OR _tributary_deleted
        """;

    private static List<T> Query<T>(DuckDBConnection connection, string sql, Func<DuckDBDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = (DuckDBDataReader)command.ExecuteReader();
        var results = new List<T>();
        while (reader.Read())
        {
            results.Add(read(reader));
        }

        return results;
    }

    private static TimeSpan Percentile(List<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Times(IEnumerable<DateTimeOffset> times) =>
        string.Join(", ", times.Select(static t => t.ToString("HH:mm", CultureInfo.InvariantCulture)));

    private void Fail(string failure) => _failures.Add(failure);
}

using System.Text.Json.Serialization;
using Tributary.Runtime;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Xunit;
using Xunit.Sdk;

namespace Tributary.Testing;

/// <summary>
/// Batches that carry every operation kind: rows folded by key (DESIGN.md §6), hand-written cases, and seeded random
/// sequences of interleaved operations run through the real engine and checked against a model that applies each
/// operation one by one.
/// </summary>
public abstract partial class DestinationContractTests
{
    private static readonly TableSchema Mixed = Table("mixed", ["id"], ("id", ColumnType.Long), ("a", ColumnType.String), ("b", ColumnType.Long));

    // ---- mixed batches -------------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_MixedBatch_AppliesEachRowsOperation()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(Mixed, [1L, "one", 1L], [2L, "two", 2L], [3L, "three", 3L], [4L, "four", 4L]);
        var batch = MixedBatch(
            T2,
            truncate: false,
            (RowOperation.Upsert, [5L, "five", 5L]),                  // new key
            (RowOperation.Upsert, [1L, "uno", null]),                 // replaces the whole row
            (RowOperation.UpsertThenDelete, [6L, "six", 6L]),         // new and deleted
            (RowOperation.UpsertThenDelete, [2L, "dos", 22L]),        // replaced and deleted
            (RowOperation.Update, [3L, "tres", Unmodified]),          // one column changes, the other stays
            (RowOperation.Delete, [4L, Unmodified, 44L]),             // an update folded with a delete
            (RowOperation.Update, [99L, "ghost", 9L]),                // unknown keys change nothing
            (RowOperation.Delete, [98L, Unmodified, Unmodified]));

        var applied = await w.WriteAsync(batch);

        Assert.Equal(6, applied);
        Assert.Equal(
            [$"1|uno|NULL|{S2}|false", $"2|dos|22|{S2}|true", $"3|tres|3|{S2}|false", $"4|four|44|{S2}|true", $"5|five|5|{S2}|false", $"6|six|6|{S2}|true"],
            await w.ShowAsync("SELECT id, a, b, _tributary_synced, _tributary_deleted FROM \"conn\".\"mixed\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_MoreKindsOfUpdateThanStatements_ChangesEachRowsOwnCells()
    {
        // Ten combinations of changed columns and deleted flag, more than BatchPlan.MaxModifyKinds: one statement for all.
        await using var w = await OpenAsync();
        var table = Table("kinds", ["id"], ("id", ColumnType.Long), ("a", ColumnType.Long), ("b", ColumnType.Long), ("c", ColumnType.Long), ("d", ColumnType.Long));
        await w.CreateAsync(table, [.. Enumerable.Range(1, 10).Select(i => new object?[] { (long)i, 0L, 0L, 0L, 0L })]);
        var U = Unmodified;
        var batch = MixedBatch(
            table,
            T2,
            truncate: false,
            [],
            (RowOperation.Update, [1L, 1L, U, U, U]),
            (RowOperation.Update, [2L, U, 2L, U, U]),
            (RowOperation.Update, [3L, U, U, 3L, U]),
            (RowOperation.Update, [4L, U, U, U, 4L]),
            (RowOperation.Update, [5L, 5L, 5L, U, U]),
            (RowOperation.Update, [6L, U, U, 6L, 6L]),
            (RowOperation.Update, [7L, 7L, U, U, null]),
            (RowOperation.Delete, [8L, U, U, U, U]),
            (RowOperation.Delete, [9L, U, 9L, 9L, U]),
            (RowOperation.Update, [10L, 10L, 10L, 10L, 10L]),
            (RowOperation.Update, [11L, 11L, U, U, U]));   // an unknown key changes nothing

        Assert.Equal(10, await w.WriteAsync(batch));

        Assert.Equal(
            ["1|1|0|0|0|false", "2|0|2|0|0|false", "3|0|0|3|0|false", "4|0|0|0|4|false", "5|5|5|0|0|false", "6|0|0|6|6|false",
                "7|7|0|0|NULL|false", "8|0|0|0|0|true", "9|0|9|9|0|true", "10|10|10|10|10|false"],
            await w.ShowAsync("SELECT id, a, b, c, d, _tributary_deleted FROM \"conn\".\"kinds\" ORDER BY id"));
        Assert.Equal([$"{S2}"], await w.ShowAsync("SELECT DISTINCT _tributary_synced FROM \"conn\".\"kinds\""));
    }

    [Fact]
    public async Task WriteAsync_FirstBatchOfNewTableWithDeletedUpserts_CreatesTheRowsDeleted()
    {
        await using var w = await OpenAsync();
        var batch = MixedBatch(
            T1,
            truncate: false,
            [new SchemaChange(SchemaChangeKind.CreateTable, null)],
            (RowOperation.Upsert, [1L, "one", 1L]),
            (RowOperation.UpsertThenDelete, [2L, "two", 2L]));

        Assert.Equal(2, await w.WriteAsync(batch));

        Assert.Equal(["1|one|false", "2|two|true"], await w.ShowAsync("SELECT id, a, _tributary_deleted FROM \"conn\".\"mixed\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_UpdatesChangingDifferentColumns_ChangeOnlyTheirOwnCells()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(Mixed, [1L, "one", 1L], [2L, "two", 2L], [3L, "three", 3L]);
        var batch = MixedBatch(
            T2,
            truncate: false,
            (RowOperation.Update, [1L, "uno", Unmodified]),
            (RowOperation.Update, [2L, Unmodified, null]),
            (RowOperation.Delete, [3L, Unmodified, Unmodified]));

        Assert.Equal(3, await w.WriteAsync(batch));

        Assert.Equal(["1|uno|1|false", "2|two|NULL|false", "3|three|3|true"],
            await w.ShowAsync("SELECT id, a, b, _tributary_deleted FROM \"conn\".\"mixed\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_TruncateWithRows_SoftDeletesEarlierRowsThenAppliesTheRows()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(Mixed, [1L, "one", 1L], [2L, "two", 2L], [3L, "three", 3L]);
        var batch = MixedBatch(
            T2,
            truncate: true,
            (RowOperation.Upsert, [1L, "back", 10L]),            // revived by an upsert after the truncate
            (RowOperation.Update, [2L, "changed", Unmodified]),  // changed, but stays deleted
            (RowOperation.Upsert, [4L, "four", 4L]));

        Assert.Equal(3, await w.WriteAsync(batch));

        Assert.Equal(["1|back|10|false", "2|changed|2|true", "3|three|3|true", "4|four|4|false"],
            await w.ShowAsync("SELECT id, a, b, _tributary_deleted FROM \"conn\".\"mixed\" ORDER BY id"));
    }

    // ---- interleaved operations through the engine, against the model --------------------------------------------

    /// <summary>
    /// Seeds of <see cref="RunAsync_RandomInterleavedOperations_LeaveTheModelsTables"/>. A slow target may run a share of
    /// them, as long as its sibling targets together run every one.
    /// </summary>
    protected virtual IReadOnlyList<int> InterleavedSeeds => [1, 2, 3, 4];

    [Fact]
    public async Task RunAsync_RandomInterleavedOperations_LeaveTheModelsTables()
    {
        foreach (var seed in InterleavedSeeds)
        {
            try
            {
                await RandomInterleavedOperationsAsync(seed);
            }
            catch (XunitException ex)
            {
                throw new XunitException($"Seed {seed}: {ex.Message}", ex);
            }
        }
    }

    private async Task RandomInterleavedOperationsAsync(int seed)
    {
        await using var w = await OpenAsync();
        var random = new Random(seed);
        var model = new Model();
        var store = Directory.CreateTempSubdirectory("tributary-interleaved-");
        try
        {
            // Three syncs into one warehouse, so later ones update and delete rows that earlier batches wrote; small batches
            // so keys fold within a batch and meet rows of earlier batches.
            for (var sync = 0; sync < 3; sync++)
            {
                var steps = Script.Random(random, 300, keys: 40);
                model.Apply(steps);
                var run = await RunScriptAsync(w.Destination, store.FullName, steps, batchSize: 1 + random.Next(40));
                Assert.True(run.Outcome == RunOutcome.Succeeded, $"Sync {sync}: {run.Outcome} {run.Error}");
            }

            Assert.Equal(model.Show("events"), await w.ShowAsync("SELECT id, a, b, c, _tributary_deleted FROM \"conn\".\"events\" ORDER BY id"));
            Assert.Equal(model.Show("pairs"), await w.ShowAsync("SELECT k1, k2, v, _tributary_deleted FROM \"conn\".\"pairs\" ORDER BY k1, k2"));
        }
        finally
        {
            store.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_HundredThousandInterleavedOperations_FoldIntoFewBatches()
    {
        await using var w = await OpenAsync();
        var counting = new CountingDestination(w.Destination);
        var steps = Script.UpsertsWithDeletesAndUpdates(100_000);
        var model = new Model();
        model.Apply(steps);
        var store = Directory.CreateTempSubdirectory("tributary-interleaved-");
        try
        {
            // Old engines cut a batch at every change of operation kind: about 70,000 one-row transactions here.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var run = await RunScriptAsync(counting, store.FullName, steps, batchSize: 50_000, timeout.Token);

            Assert.True(run.Outcome == RunOutcome.Succeeded, $"{run.Outcome} {run.Error}");
            Assert.InRange(counting.Batches, 1, 6);
            Assert.Equal(model.Show("events"), await w.ShowAsync("SELECT id, a, b, c, _tributary_deleted FROM \"conn\".\"events\" ORDER BY id"));
        }
        finally
        {
            store.Delete(recursive: true);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /// <summary>Marks an unmodified cell in a row given to <c>MixedBatch</c>.</summary>
    private static readonly object Unmodified = new();

    private static WriteBatch MixedBatch(DateTimeOffset syncedAt, bool truncate, params (RowOperation Operation, object?[] Row)[] rows) =>
        MixedBatch(syncedAt, truncate, [], rows);

    private static WriteBatch MixedBatch(DateTimeOffset syncedAt, bool truncate, SchemaChange[] changes, params (RowOperation Operation, object?[] Row)[] rows) =>
        MixedBatch(Mixed, syncedAt, truncate, changes, rows);

    private static WriteBatch MixedBatch(TableSchema table, DateTimeOffset syncedAt, bool truncate, SchemaChange[] changes, params (RowOperation Operation, object?[] Row)[] rows)
    {
        var columns = Writable(table);
        var vectors = columns.Select(c => ColumnVector.Create(table.Find(c)!.Type)).ToArray();
        foreach (var (_, row) in rows)
        {
            for (var i = 0; i < vectors.Length; i++)
            {
                if (ReferenceEquals(row[i], Unmodified))
                {
                    vectors[i].AppendUnmodified();
                }
                else
                {
                    vectors[i].Append(row[i]);
                }
            }
        }

        return new WriteBatch(Schema, table, Sys, columns, vectors, [.. rows.Select(r => r.Operation)], rows.Length, truncate, changes, syncedAt);
    }

    private static async Task<RunRecord> RunScriptAsync(
        IDestination destination, string store, IReadOnlyList<Step> steps, int batchSize, CancellationToken cancellationToken = default)
    {
        var runner = new SyncRunner(destination, new FileStateStore(store), new SyncRunnerOptions { BatchSize = batchSize });
        return await runner.RunAsync(new SyncRequest(Schema, new ScriptConnector(steps), ConnectorConfiguration.Empty), cancellationToken);
    }

    private enum StepKind
    {
        Upsert,
        Update,
        Delete,
        Truncate,
        Checkpoint,
    }

    /// <summary>One operation of a script: its table and its row's columns (absent columns are not given).</summary>
    private sealed record Step(StepKind Kind, string Table, Dictionary<string, object?> Row);

    private static class Script
    {
        public static List<Step> Random(Random random, int count, int keys)
        {
            var steps = new List<Step>(count);
            for (var i = 0; i < count; i++)
            {
                var table = random.Next(4) == 0 ? "pairs" : "events";
                var roll = random.Next(100);
                var kind = roll switch
                {
                    < 45 => StepKind.Upsert,
                    < 70 => StepKind.Update,
                    < 90 => StepKind.Delete,
                    < 92 => StepKind.Truncate,
                    _ => StepKind.Checkpoint,
                };
                var row = table == "events"
                    ? new Dictionary<string, object?> { ["id"] = (long)random.Next(keys) }
                    : new Dictionary<string, object?> { ["k1"] = random.Next(3) == 0 ? "x" : "y", ["k2"] = (long)random.Next(keys / 3) };
                if (kind is StepKind.Upsert or StepKind.Update)
                {
                    foreach (var column in table == "events" ? new[] { "a", "b", "c" } : ["v"])
                    {
                        if (kind == StepKind.Upsert ? random.Next(4) > 0 : random.Next(2) == 0)
                        {
                            row[column] = RandomValue(random, column);
                        }
                    }
                }

                steps.Add(new Step(kind, table, row));
            }

            return steps;
        }

        /// <summary>The bench's interleaved shape: upserts of new keys, a delete of an earlier key after every second, an update of another after every fifth.</summary>
        public static List<Step> UpsertsWithDeletesAndUpdates(int upserts)
        {
            var steps = new List<Step>();
            for (long id = 0; id < upserts; id++)
            {
                steps.Add(new Step(StepKind.Upsert, "events", new() { ["id"] = id, ["a"] = $"row {id}", ["b"] = id * 3, ["c"] = id / 4.0 }));
                if (id % 2 == 1)
                {
                    steps.Add(new Step(StepKind.Delete, "events", new() { ["id"] = id / 2 }));
                }

                if (id % 5 == 4)
                {
                    steps.Add(new Step(StepKind.Update, "events", new() { ["id"] = id * 7 % (id + 1), ["a"] = $"updated at {id}" }));
                }
            }

            return steps;
        }

        private static object? RandomValue(Random random, string column) => random.Next(6) == 0 ? null : column switch
        {
            "b" => (long)random.Next(-1000, 1000),
            "c" => random.Next(1000) / 8.0,
            _ => $"s{random.Next(100)}",
        };
    }

    /// <summary>Emits a script: one call per step, the state after every checkpoint step and at the end.</summary>
    private sealed class ScriptConnector(IReadOnlyList<Step> steps) : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [
            new TableDefinition("events")
            {
                PrimaryKey = ["id"],
                Columns = new Dictionary<string, ColumnType>
                {
                    ["id"] = ColumnType.Long, ["a"] = ColumnType.String, ["b"] = ColumnType.Long, ["c"] = ColumnType.Double,
                },
            },
            new TableDefinition("pairs")
            {
                PrimaryKey = ["k1", "k2"],
                Columns = new Dictionary<string, ColumnType> { ["k1"] = ColumnType.String, ["k2"] = ColumnType.Long, ["v"] = ColumnType.String },
            },
        ];

        public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
        {
            var position = 0;
            foreach (var step in steps)
            {
                position++;

                // Every other row as a dictionary, the others typed where the row allows (the engine's typed path).
                var row = position % 2 == 0 ? step.Row : Typed(step);
                switch (step.Kind)
                {
                    case StepKind.Upsert:
                        await context.UpsertAsync(step.Table, row, cancellationToken);
                        break;
                    case StepKind.Update:
                        await context.UpdateAsync(step.Table, row, cancellationToken);
                        break;
                    case StepKind.Delete:
                        await context.DeleteAsync(step.Table, row, cancellationToken);
                        break;
                    case StepKind.Truncate:
                        await context.TruncateAsync(step.Table, cancellationToken);
                        break;
                    default:
                        await context.CheckpointAsync(new { position }, cancellationToken);
                        break;
                }
            }

            await context.CheckpointAsync(new { position }, cancellationToken);
        }
    }

    /// <summary>An events row with every column: an upsert's absent columns are NULL.</summary>
    private sealed class EventRow
    {
        [JsonPropertyName("id")]
        public long Id { get; init; }

        [JsonPropertyName("a")]
        public string? A { get; init; }

        [JsonPropertyName("b")]
        public long? B { get; init; }

        [JsonPropertyName("c")]
        public double? C { get; init; }
    }

    /// <summary>
    /// The step's row as an object the engine reads typed: a record for an upsert, and for an update that sets every
    /// column; an anonymous object of the keys for a delete. Any other update stays a dictionary (absent is not NULL there).
    /// </summary>
    private static object Typed(Step step)
    {
        var row = step.Row;
        T? Get<T>(string column) => row.TryGetValue(column, out var value) ? (T?)value : default;
        return (step.Kind, step.Table) switch
        {
            (StepKind.Delete, "events") => new { id = Get<long>("id") },
            (StepKind.Delete, _) => new { k1 = Get<string>("k1"), k2 = Get<long>("k2") },
            (StepKind.Upsert, "events") => new EventRow { Id = Get<long>("id"), A = Get<string>("a"), B = Get<long?>("b"), C = Get<double?>("c") },
            (StepKind.Upsert, _) => new { k1 = Get<string>("k1"), k2 = Get<long>("k2"), v = Get<string>("v") },
            (StepKind.Update, "events") when row.Count == 4 => new EventRow { Id = Get<long>("id"), A = Get<string>("a"), B = Get<long?>("b"), C = Get<double?>("c") },
            (StepKind.Update, "pairs") when row.Count == 3 => new { k1 = Get<string>("k1"), k2 = Get<long>("k2"), v = Get<string>("v") },
            _ => row,
        };
    }

    /// <summary>The semantics of DESIGN.md §3, one operation at a time: the tables a destination must end with.</summary>
    private sealed class Model
    {
        private static readonly Dictionary<string, string[]> KeyColumns = new() { ["events"] = ["id"], ["pairs"] = ["k1", "k2"] };
        private static readonly Dictionary<string, string[]> OtherColumns = new() { ["events"] = ["a", "b", "c"], ["pairs"] = ["v"] };
        private readonly Dictionary<string, SortedDictionary<(string Text, long Number), (Dictionary<string, object?> Values, bool Deleted)>> _tables = new()
        {
            ["events"] = [],
            ["pairs"] = [],
        };

        public void Apply(IEnumerable<Step> steps)
        {
            foreach (var step in steps)
            {
                var rows = _tables[step.Table];
                var key = step.Kind is StepKind.Truncate or StepKind.Checkpoint ? default : Key(step.Row);
                switch (step.Kind)
                {
                    case StepKind.Upsert:
                        rows[key] = (new Dictionary<string, object?>(step.Row), false);
                        break;
                    case StepKind.Update when rows.TryGetValue(key, out var row):
                        foreach (var (column, value) in step.Row)
                        {
                            row.Values[column] = value;
                        }

                        break;
                    case StepKind.Delete when rows.TryGetValue(key, out var row):
                        rows[key] = (row.Values, true);
                        break;
                    case StepKind.Truncate:
                        foreach (var existing in rows.Keys.ToList())
                        {
                            rows[existing] = (rows[existing].Values, true);
                        }

                        break;
                }
            }
        }

        /// <summary>The table's rows as <see cref="Values.Show(object?[])"/> text: key columns, other columns, deleted; in key order.</summary>
        public List<string> Show(string table) =>
        [
            .. _tables[table].Values.Select(r =>
                Values.Show([.. KeyColumns[table].Concat(OtherColumns[table]).Select(c => r.Values.GetValueOrDefault(c)), r.Deleted])),
        ];

        // Sorts as ORDER BY the key columns: events by id; pairs by k1 (single letters), then k2.
        private static (string, long) Key(Dictionary<string, object?> row) =>
            row.TryGetValue("id", out var id) ? ("", (long)id!) : ((string)row["k1"]!, (long)row["k2"]!);
    }

    /// <summary>Counts the batches that reach the destination under test.</summary>
    private sealed class CountingDestination(IDestination inner) : IDestination
    {
        public int Batches { get; private set; }

        public Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken) => inner.GetTablesAsync(schema, cancellationToken);

        public Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
        {
            Batches++;
            return inner.WriteAsync(batch, cancellationToken);
        }

        public Task DropSchemaAsync(string schema, CancellationToken cancellationToken) => inner.DropSchemaAsync(schema, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

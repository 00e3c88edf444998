using System.Globalization;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// A batch that rewrites many files does so a group of files at a time (<see cref="DeltaDestinationOptions.RewriteGroupRows"/>,
/// made tiny here): the engine never holds more than a group's rows, the batch is still one commit, and the results are the
/// DuckDB destination's.
/// </summary>
public sealed class DeltaRewriteGroupTests : IAsyncDisposable
{
    private readonly Lake _lake = new();
    private readonly List<long> _workingRows = [];

    public ValueTask DisposeAsync() => _lake.DisposeAsync();

    [Fact]
    public async Task WriteAsync_UpsertSpreadOverSixFiles_RewritesTwoFilesAtATimeInOneCommit()
    {
        var destination = _lake.Open(Options(groupRows: 20));
        await destination.WriteAsync(Lake.Create([.. Enumerable.Range(0, 10).Select(i => (long)i)]), default);
        for (var f = 1; f < 6; f++)
        {
            await destination.WriteAsync(Lake.Upsert([.. Enumerable.Range(10 * f, 10).Select(i => (long)i)]), default);
        }

        var before = (await _lake.SnapshotAsync())!;
        Assert.Equal(6, before.Files.Count);
        _workingRows.Clear();

        var applied = await destination.WriteAsync(Lake.Upsert("changed", 5, 15, 25, 35, 45, 55, 100), default);

        Assert.Equal(7, applied);
        Assert.Equal([20L, 20L, 20L, 1L], _workingRows);   // three groups of two files, then the new key alone
        var after = (await _lake.SnapshotAsync())!;
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Empty(after.Files.Keys.Intersect(before.Files.Keys));
        Assert.Equal(4, after.Files.Count);
        var rows = await _lake.RowsAsync();
        Assert.Equal(61, rows.Count);
        Assert.Equal(
            ["5|changed|False", "15|changed|False", "25|changed|False", "35|changed|False", "45|changed|False", "55|changed|False", "100|changed|False"],
            rows.Where(r => r.Contains("changed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WriteAsync_TruncateOfSixFiles_SoftDeletesEveryRowAGroupAtATime()
    {
        var destination = _lake.Open(Options(groupRows: 20));
        await destination.WriteAsync(Lake.Create([.. Enumerable.Range(0, 10).Select(i => (long)i)]), default);
        for (var f = 1; f < 6; f++)
        {
            await destination.WriteAsync(Lake.Upsert([.. Enumerable.Range(10 * f, 10).Select(i => (long)i)]), default);
        }

        _workingRows.Clear();
        var truncate = new WriteBatch(Lake.Schema, Lake.Items, Lake.Sys, OperationKind.Truncate, [], Array.Empty<object?[]>(), [], Lake.T1);

        Assert.Equal(60, await destination.WriteAsync(truncate, default));
        Assert.Equal([20L, 20L, 20L], _workingRows);
        Assert.All(await _lake.RowsAsync(), r => Assert.EndsWith("|True", r, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public async Task WriteAsync_RandomBatchesInTinyGroups_SameRowsAndCountsAsTheDuckDbDestination(bool hashedKey, int seed)
    {
        var shape = new Shape(hashedKey);
        var database = Path.Combine(_lake.Folder, "..", Path.GetFileName(_lake.Folder) + ".duckdb");
        var delta = _lake.Open(Options(groupRows: 10));
        var groupsSeen = 0;
        try
        {
            await using (var duck = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = database }))
            {
                foreach (var (step, batch) in shape.Batches(new Random(seed)))
                {
                    _workingRows.Clear();
                    var expected = await duck.WriteAsync(batch, default);
                    Assert.True(expected == await delta.WriteAsync(batch, default), $"Rows applied differ at step {step} ({batch}).");
                    groupsSeen = Math.Max(groupsSeen, _workingRows.Count);
                    Assert.All(_workingRows, rows => Assert.True(rows <= Shape.MaxFileRows, $"{rows} rows in the engine at step {step}."));
                }
            }

            var duckReader = new DuckDbWarehouseReader(database);
            using var deltaReader = new DeltaWarehouseReader(_lake.Folder);
            var select = shape.Select();
            Assert.Equal(Render(await duckReader.RowsAsync(select, default)), Render(await deltaReader.RowsAsync(select, default)));
            Assert.True(groupsSeen >= 4, $"No batch rewrote more than {groupsSeen - 1} groups: the test did not exercise groups.");
        }
        finally
        {
            File.Delete(database);
            File.Delete(database + ".wal");
        }
    }

    private DeltaDestinationOptions Options(long groupRows) => new()
    {
        Folder = _lake.Folder,
        RewriteGroupRows = groupRows,
        CompactionFileRows = 1,   // no file is small: compaction would join the files this test wants apart
        WorkingTableRows = _workingRows.Add,
    };

    private static List<string> Render(IReadOnlyList<object?[]> rows) =>
        [.. rows.Select(r => string.Join("|", r.Select(v => v is null ? "NULL" : Convert.ToString(v, CultureInfo.InvariantCulture))))];

    /// <summary>
    /// A table keyed by two columns (id, part) or by one hashed text (as the surrogate key of a keyless table, spread over
    /// every file's range), and random batches on it: six appends that make six files, then upserts, upserts then deletes,
    /// updates with unmodified cells, deletes, truncates with and without rows, of keys that exist and keys that do not,
    /// a column added at step 15 and <c>amount</c> widened from INT to LONG at step 25.
    /// </summary>
    private sealed class Shape(bool hashedKey)
    {
        public const int MaxFileRows = 30;   // the largest batch of new keys; every group of files holds at most 10 rows otherwise
        private const int Keys = 90;

        private string[] KeyColumns => hashedKey ? ["hid"] : ["id", "part"];

        public IEnumerable<(int Step, WriteBatch Batch)> Batches(Random random)
        {
            for (var step = 0; step < 40; step++)
            {
                var note = step >= 15;
                var wide = step >= 25;
                var table = Table(note, wide);
                var changes = new List<SchemaChange>();
                if (step == 0)
                {
                    changes.Add(new SchemaChange(SchemaChangeKind.CreateTable, null));
                }
                else if (step == 15)
                {
                    changes.Add(new SchemaChange(SchemaChangeKind.AddColumn, table.Find("note")));
                }
                else if (step == 25)
                {
                    changes.Add(new SchemaChange(SchemaChangeKind.WidenColumn, table.Find("amount")));
                }

                var truncate = false;
                List<int> keys;
                if (step < 6)
                {
                    keys = [.. Enumerable.Range(10 * step, 10)];
                }
                else
                {
                    var dice = random.Next(100);
                    truncate = dice < 14;
                    keys = dice < 8 ? [] : [.. Enumerable.Range(0, Keys).OrderBy(_ => random.Next()).Take(random.Next(1, MaxFileRows + 1))];
                }

                yield return (step, Batch(table, changes, truncate, keys, step < 6 ? null : random, step, note, wide));
            }
        }

        public string Select()
        {
            var system = Lake.Sys;
            return $"SELECT {string.Join(", ", KeyColumns)}, name, amount, note, {system.Deleted}, {system.Synced} FROM \"{Lake.Schema}\".\"shaped\" ORDER BY {string.Join(", ", KeyColumns)}";
        }

        private TableSchema Table(bool note, bool wide)
        {
            var columns = new List<ColumnSchema>(hashedKey
                ? [new ColumnSchema("hid", ColumnType.String)]
                : [new ColumnSchema("id", ColumnType.Long), new ColumnSchema("part", ColumnType.String)]);
            columns.Add(new ColumnSchema("name", ColumnType.String));
            columns.Add(new ColumnSchema("amount", wide ? ColumnType.Long : ColumnType.Int));
            columns.AddRange(Lake.Sys.Trailing());
            if (note)
            {
                columns.Add(new ColumnSchema("note", ColumnType.String));
            }

            return new TableSchema("shaped", columns, KeyColumns);
        }

        private WriteBatch Batch(TableSchema table, List<SchemaChange> changes, bool truncate, List<int> keys, Random? random, int step, bool note, bool wide)
        {
            var names = new List<string>(KeyColumns) { "name", "amount" };
            if (note)
            {
                names.Add("note");
            }

            var vectors = names.Select(n => ColumnVector.Create(table.Find(n)!.Type)).ToArray();
            var operations = new RowOperation[keys.Count];
            for (var r = 0; r < keys.Count; r++)
            {
                var key = keys[r];
                var operation = random is null ? RowOperation.Upsert : (random.Next(10) switch
                {
                    < 4 => RowOperation.Upsert,
                    4 => RowOperation.UpsertThenDelete,
                    < 8 => RowOperation.Update,
                    _ => RowOperation.Delete,
                });
                operations[r] = operation;
                var c = 0;
                if (hashedKey)
                {
                    vectors[c++].Append(unchecked((ulong)key * 0x9E3779B97F4A7C15UL).ToString("x16", CultureInfo.InvariantCulture));
                }
                else
                {
                    vectors[c++].Append((long)(key / 2));
                    vectors[c++].Append(key % 2 == 0 ? "a" : "b");
                }

                for (; c < names.Count; c++)
                {
                    var upsert = WriteBatch.IsUpsert(operation);
                    var pick = random?.Next(6) ?? 0;
                    if (!upsert && (operation == RowOperation.Delete || pick < 2))
                    {
                        vectors[c].AppendUnmodified();
                    }
                    else if (pick == 5)
                    {
                        vectors[c].Append(null);
                    }
                    else
                    {
                        vectors[c].Append(names[c] switch
                        {
                            "amount" when wide => (object)(key * 1000L + step),
                            "amount" => key * 1000 + step,
                            var column => string.Create(CultureInfo.InvariantCulture, $"{column}-{key}-{step}"),
                        });
                    }
                }
            }

            return new WriteBatch(Lake.Schema, table, Lake.Sys, names, vectors, operations, keys.Count, truncate, changes, Lake.T1.AddSeconds(step));
        }
    }
}

using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Postgres.Tests;

/// <summary>Widenings PostgreSQL makes beyond the contract suite: a key column, and more values than one chunk holds.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresWideningTests(PostgresFixture postgres)
{
    private static readonly SystemColumns Sys = SystemColumns.Tributary;
    private static readonly DateTimeOffset T1 = new(2024, 9, 24, 14, 30, 45, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2024, 9, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WriteAsync_WidenKeyColumnToString_KeepsTheKeyAndWritesTheEnginesText()
    {
        await using var target = new PostgresTarget(await postgres.Server.CreateDatabaseAsync(CancellationToken.None));
        var destination = target.Open();
        var before = Table(ColumnType.Double);
        await destination.WriteAsync(Batch(before, [[-4.19533e20, "a"], [1e-7, "b"]], SchemaChangeKind.CreateTable), CancellationToken.None);

        var after = Table(ColumnType.String);
        await destination.WriteAsync(Batch(after, [["-4.19533E+20", "c"]], SchemaChangeKind.WidenColumn), CancellationToken.None);

        // The key written after the widening is the converted key's text, so it replaces that row.
        Assert.Equal(["1E-07|b", "-4.19533E+20|c"], (await target.Reader.RowsAsync("SELECT k, v FROM \"conn\".\"t\" ORDER BY v", default)).Select(Values.Show));
        Assert.Equal(["k"], await target.Reader.PrimaryKeyAsync("conn", "t", default));
        Assert.Equal(["k STRING", "v STRING", "_tributary_synced UTC_DATETIME", "_tributary_deleted BOOLEAN"],
            (await destination.GetTablesAsync("conn", default)).Single().Columns.Select(c => $"{c.Name} {c.Type}"));
    }

    [Fact]
    public async Task WriteAsync_WidenMoreValuesThanOneChunk_ConvertsEveryValue()
    {
        const int Rows = 150_000;
        await using var target = new PostgresTarget(await postgres.Server.CreateDatabaseAsync(CancellationToken.None));
        var destination = target.Open();
        var before = new TableSchema("t", [new ColumnSchema("id", ColumnType.Int), new ColumnSchema("v", ColumnType.Double), .. Sys.Trailing()], ["id"]);
        await destination.WriteAsync(new WriteBatch("conn", before, Sys, OperationKind.Upsert, ["id", "v"],
            [.. Enumerable.Range(0, Rows).Select(i => new object?[] { i, i % 7 == 0 ? null : i * 1e15 })], [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1),
            CancellationToken.None);

        var after = new TableSchema("t", [new ColumnSchema("id", ColumnType.Int), new ColumnSchema("v", ColumnType.String), .. Sys.Trailing()], ["id"]);
        await destination.WriteAsync(new WriteBatch("conn", after, Sys, OperationKind.Upsert, ["id", "v"], [], [new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("v", ColumnType.String))], T2),
            CancellationToken.None);

        var rows = await target.Reader.RowsAsync("SELECT id, v FROM \"conn\".\"t\" ORDER BY id", default);
        Assert.Equal(Rows, rows.Count);
        Assert.All(rows, r => Assert.Equal((int)r[0]! % 7 == 0 ? null : TypeSystem.ToText((int)r[0]! * 1e15), r[1]));
    }

    private static TableSchema Table(ColumnType key) =>
        new("t", [new ColumnSchema("k", key), new ColumnSchema("v", ColumnType.String), .. Sys.Trailing()], ["k"]);

    private static WriteBatch Batch(TableSchema table, object?[][] rows, SchemaChangeKind change) =>
        new("conn", table, Sys, OperationKind.Upsert, ["k", "v"], rows,
            [new SchemaChange(change, change == SchemaChangeKind.WidenColumn ? new ColumnSchema("k", ColumnType.String) : null)], change == SchemaChangeKind.CreateTable ? T1 : T2);
}

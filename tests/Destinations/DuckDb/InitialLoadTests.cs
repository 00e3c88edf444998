using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using static Tributary.Destinations.DuckDb.Tests.Warehouse;

namespace Tributary.Destinations.DuckDb.Tests;

/// <summary>A new table loaded in key order is appended without its key index, and the key is built once afterwards.</summary>
public sealed class InitialLoadTests
{
    private const string Items = "\"conn\".\"items\"";
    private const string PrimaryKey = "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'items' AND constraint_type = 'PRIMARY KEY'";
    private const string Marked = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'items' AND comment IS NOT NULL";

    private static readonly TableSchema ItemsTable = Table("items", ["id"], ("id", ColumnType.Long), ("name", ColumnType.String));

    [Fact]
    public async Task WriteAsync_BatchesInKeyOrder_AppendWithoutTheKeyUntilDisposal()
    {
        var w = new Warehouse();
        try
        {
            await w.CreateAsync(ItemsTable, [1L, "a"], [2L, "b"]);
            await w.UpsertAsync(ItemsTable, T2, [3L, "c"], [5L, "e"]);

            Assert.Equal(0, w.Scalar<long>(PrimaryKey));
            Assert.Equal(1, w.Scalar<long>(Marked));

            await w.Destination.DisposeAsync();

            Assert.Equal(1, w.Scalar<long>(PrimaryKey));
            Assert.Equal(0, w.Scalar<long>(Marked));
            Assert.Equal(4, w.Scalar<long>($"SELECT count(DISTINCT id) FROM {Items}"));
        }
        finally
        {
            await w.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(2L)]   // a key the table holds
    [InlineData(0L)]   // a new key below the others
    public async Task WriteAsync_KeyOutOfOrder_BuildsTheKeyFirstAndMerges(long id)
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, [1L, "a"], [2L, "b"], [3L, "c"]);

        await w.UpsertAsync(ItemsTable, T2, [id, "again"], [9L, "i"]);

        Assert.Equal(1, w.Scalar<long>(PrimaryKey));
        Assert.Equal(0, w.Scalar<long>(Marked));
        Assert.Equal(id == 2 ? 4 : 5, w.Scalar<long>($"SELECT count(*) FROM {Items}"));
        Assert.Equal("again", w.Scalar<string>($"SELECT name FROM {Items} WHERE id = {id}"));
    }

    [Fact]
    public async Task WriteAsync_UpdateOrDeleteOfALoadingTable_BuildsTheKeyFirst()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, [1L, "a"], [2L, "b"]);

        Assert.Equal(1, await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [2L]));

        Assert.Equal(1, w.Scalar<long>(PrimaryKey));
        Assert.True(w.Scalar<bool>($"SELECT _tributary_deleted FROM {Items} WHERE id = 2"));
    }

    [Fact]
    public async Task GetTablesAsync_TableLeftLoadingByAnotherInstance_BuildsItsKey()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, [1L, "a"], [2L, "b"]);

        // Another destination over the same file, as the next run after a crash: it finds the table marked and builds its key.
        await using var next = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = w.DatabasePath });
        var table = Assert.Single(await next.GetTablesAsync(Schema, CancellationToken.None));

        Assert.Equal(["id"], table.PrimaryKey);
        Assert.Equal(1, w.Scalar<long>(PrimaryKey));
        Assert.Equal(0, w.Scalar<long>(Marked));
    }

    [Fact]
    public async Task WriteAsync_LoadPastItsRowLimit_BuildsTheKeyFirst()
    {
        await using var w = new Warehouse();
        await using var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = w.DatabasePath }) { InitialLoadRows = 3 };
        await destination.WriteAsync(Batch([new SchemaChange(SchemaChangeKind.CreateTable, null)], 1, 2), CancellationToken.None);
        await destination.WriteAsync(Batch([], 3), CancellationToken.None);
        Assert.Equal(0, w.Scalar<long>(PrimaryKey));

        await destination.WriteAsync(Batch([], 4), CancellationToken.None);

        Assert.Equal(1, w.Scalar<long>(PrimaryKey));
        Assert.Equal(4, w.Scalar<long>($"SELECT count(*) FROM {Items}"));
    }

    private static WriteBatch Batch(SchemaChange[] changes, params long[] ids) =>
        new(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [.. ids.Select(id => new object?[] { id, $"n{id}" })], changes, T1);

    [Fact]
    public async Task WriteAsync_FirstBatchNotInKeyOrder_CreatesTheKeyAtOnce()
    {
        await using var w = new Warehouse();

        await w.CreateAsync(ItemsTable, [2L, "b"], [1L, "a"]);

        Assert.Equal(1, w.Scalar<long>(PrimaryKey));
        Assert.Equal(0, w.Scalar<long>(Marked));
    }
}

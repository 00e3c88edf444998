using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using static Tributary.Destinations.DuckDb.Tests.Warehouse;

namespace Tributary.Destinations.DuckDb.Tests;

/// <summary>Widenings DuckDB makes beyond the contract suite: more rows than one chunk holds, with gaps in the rowids.</summary>
public sealed class DuckDbWideningTests
{
    [Fact]
    public async Task WriteAsync_WidenMoreRowsThanOneChunkWithDeletedRows_ConvertsEveryValue()
    {
        const int Rows = 300_000;
        await using var w = new Warehouse();
        var before = Table("t", ["id"], ("id", ColumnType.Int), ("v", ColumnType.Double), ("w", ColumnType.UtcDateTime));
        await w.CreateAsync(before, [.. Enumerable.Range(0, Rows).Select(i => new object?[]
            { i, i % 7 == 0 ? null : i * 1e15, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(i * 10L) })]);
        w.Execute("DELETE FROM \"conn\".\"t\" WHERE id % 1000 = 1");   // rows gone from the table, rowids left behind
        var after = With(With(before, "v", ColumnType.String), "w", ColumnType.String);

        await w.WriteAsync(new WriteBatch(Schema, after, Sys, OperationKind.Upsert, Writable(after), [],
            [new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("v", ColumnType.String)), new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("w", ColumnType.String))],
            T2));

        var rows = w.Rows("SELECT id, v, w FROM \"conn\".\"t\" ORDER BY id");
        Assert.Equal(Rows - (Rows / 1000), rows.Count);
        Assert.All(rows, r =>
        {
            var id = (int)r[0]!;
            Assert.Equal(id % 7 == 0 ? null : TypeSystem.ToText(id * 1e15), r[1]);
            Assert.Equal(TypeSystem.ToText(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(id * 10L)), r[2]);
        });
    }
}

using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>What the Delta destination does beyond the contract suite: which files a batch rewrites, compaction, fencing across tables, options.</summary>
public sealed class DeltaDestinationTests : IAsyncDisposable
{
    private readonly Lake _lake = new();

    public ValueTask DisposeAsync() => _lake.DisposeAsync();

    [Fact]
    public void Constructor_NoLakeOrTwo_ThrowsNamingBoth()
    {
        var none = Assert.Throws<ArgumentException>(() => new DeltaDestination(new DeltaDestinationOptions()));
        var both = Assert.Throws<ArgumentException>(() => new DeltaDestination(new DeltaDestinationOptions
        {
            Folder = _lake.Folder,
            Container = new global::Azure.Storage.Blobs.BlobContainerClient("UseDevelopmentStorage=true", "lake"),
        }));

        Assert.All([none, both], e => Assert.Contains("Folder", e.Message, StringComparison.Ordinal));
        Assert.All([none, both], e => Assert.Contains("Container", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_NewKeysAboveEveryFile_AppendFilesAndReadNone()
    {
        var destination = _lake.Open();
        await destination.WriteAsync(Lake.Create(1, 2, 3), default);
        var first = (await _lake.SnapshotAsync())!.Files.Keys.Single();

        await destination.WriteAsync(Lake.Upsert(4, 5, 6), default);
        await destination.WriteAsync(Lake.Upsert(7, 8, 9), default);

        var snapshot = (await _lake.SnapshotAsync())!;
        Assert.Equal(3, snapshot.Files.Count);
        Assert.Contains(first, snapshot.Files.Keys);
        Assert.Empty(snapshot.Tombstones);
        Assert.Equal(9, (await _lake.RowsAsync()).Count);
    }

    [Fact]
    public async Task WriteAsync_UpsertAndDeleteOfKeysInOneFile_RewriteOnlyThatFile()
    {
        var destination = _lake.Open();
        await destination.WriteAsync(Lake.Create(1, 2, 3), default);
        await destination.WriteAsync(Lake.Upsert(10, 11, 12), default);
        await destination.WriteAsync(Lake.Upsert(20, 21, 22), default);
        var before = (await _lake.SnapshotAsync())!.Files.Keys.Order(StringComparer.Ordinal).ToList();

        await destination.WriteAsync(Lake.Upsert("changed", 11), default);
        await destination.WriteAsync(Lake.Delete(12), default);

        var after = (await _lake.SnapshotAsync())!;
        var removed = before.Except(after.Files.Keys).ToList();
        Assert.Single(removed);
        Assert.Equal(3, after.Files.Count);
        Assert.Equal(["1|n1|False", "2|n2|False", "3|n3|False", "10|n10|False", "11|changed|False", "12|n12|True", "20|n20|False", "21|n21|False", "22|n22|False"],
            await _lake.RowsAsync());
    }

    [Fact]
    public async Task WriteAsync_KeyInsideARangeButNotInTheFile_AppendsWithoutRewriting()
    {
        var destination = _lake.Open();
        await destination.WriteAsync(Lake.Create(1, 100), default);
        var first = (await _lake.SnapshotAsync())!.Files.Keys.Single();

        await destination.WriteAsync(Lake.Upsert(50), default);
        await destination.WriteAsync(Lake.Delete(60), default);

        var snapshot = (await _lake.SnapshotAsync())!;
        Assert.Contains(first, snapshot.Files.Keys);
        Assert.Empty(snapshot.Tombstones);
        Assert.Equal(["1|n1|False", "50|n50|False", "100|n100|False"], await _lake.RowsAsync());
    }

    [Fact]
    public async Task WriteAsync_MoreSmallFilesThanTheThreshold_CompactsKeepingEveryRow()
    {
        var destination = _lake.Open(_lake.Options(compactionThreshold: 4));
        await destination.WriteAsync(Lake.Create(1, 2), default);
        for (var i = 1; i < 5; i++)
        {
            await destination.WriteAsync(Lake.Upsert(10 * i, 10 * i + 1), default);
        }

        var snapshot = (await _lake.SnapshotAsync())!;
        Assert.Single(snapshot.Files);
        Assert.Equal(5, snapshot.Tombstones.Count);
        Assert.All(snapshot.Tombstones.Values, r => Assert.False(r.DataChange));
        Assert.False(snapshot.Files.Values.Single().DataChange);
        Assert.Equal(["1|n1|False", "2|n2|False", "10|n10|False", "11|n11|False", "20|n20|False", "21|n21|False", "30|n30|False", "31|n31|False", "40|n40|False", "41|n41|False"],
            await _lake.RowsAsync());

        await destination.WriteAsync(Lake.Upsert("after", 21), default);
        Assert.Contains("21|after|False", await _lake.RowsAsync());
    }

    [Fact]
    public async Task WriteAsync_StaleFenceOnATableTheNewerWriterHasNotWritten_Refused()
    {
        var other = Lake.Items;
        var newer = _lake.Open();
        var stale = _lake.Open();
        await stale.WriteAsync(Lake.Fenced(Lake.Create(1), 1), default);
        await newer.WriteAsync(Lake.Fenced(Lake.Upsert(2), 2), default);

        var error = await Assert.ThrowsAsync<ConnectorBusyException>(() => stale.WriteAsync(
            Lake.Fenced(new Runtime.Destinations.WriteBatch(Lake.Schema, new Runtime.Schema.TableSchema("others", other.Columns, other.PrimaryKey), Lake.Sys,
                Runtime.Destinations.OperationKind.Upsert, ["id", "name"], [[1L, "stale"]], [new Runtime.Destinations.SchemaChange(Runtime.Destinations.SchemaChangeKind.CreateTable, null)], Lake.T1), 1),
            default));

        Assert.Contains("epoch 2", error.Message, StringComparison.Ordinal);
        Assert.Null(await _lake.SnapshotAsync("others"));
        Assert.Equal(["items"], (await newer.GetTablesAsync(Lake.Schema, default)).Select(t => t.Name));
    }

    [Fact]
    public async Task WriteAsync_EveryTypeThenNaiveTimeWidenedToString_LogFollowsTheConventionsAndProtocolIsNeverLowered()
    {
        var columns = new (string Name, ColumnType Type, object Value)[]
        {
            ("k", ColumnType.Long, 1L), ("b", ColumnType.Boolean, true), ("s", ColumnType.Short, (short)2), ("i", ColumnType.Int, 3),
            ("d", ColumnType.Decimal(38, 10), 123456789012345678.0123456789m), ("f", ColumnType.Float, 10.4f), ("x", ColumnType.Double, 0.0001),
            ("day", ColumnType.NaiveDate, new DateOnly(2007, 12, 3)), ("naive", ColumnType.NaiveDateTime, new DateTime(2007, 12, 3, 10, 15, 30, 123)),
            ("utc", ColumnType.UtcDateTime, new DateTimeOffset(2007, 12, 3, 10, 15, 30, 456, TimeSpan.Zero)), ("bin", ColumnType.Binary, new byte[] { 1, 2 }),
            ("long_text", ColumnType.String, new string('é', 40) + "\U0001F600 end"), ("json", ColumnType.Json, "{\"a\":1}"),
        };
        var table = new TableSchema("typed", [.. columns.Select(c => new ColumnSchema(c.Name, c.Type)), .. Lake.Sys.Trailing()], ["k"]);
        var destination = _lake.Open();
        await destination.WriteAsync(new WriteBatch(Lake.Schema, table, Lake.Sys, OperationKind.Upsert, [.. columns.Select(c => c.Name)],
            [[.. columns.Select(c => c.Value)]], [new SchemaChange(SchemaChangeKind.CreateTable, null)], Lake.T1), default);
        Assert.Equal(3, (await _lake.SnapshotAsync("typed"))!.Protocol.MinReaderVersion);

        var widened = new TableSchema("typed", [.. table.Columns.Select(c => c.Name == "naive" ? new ColumnSchema("naive", ColumnType.String) : c)], ["k"]);
        await destination.WriteAsync(new WriteBatch(Lake.Schema, widened, Lake.Sys, OperationKind.Upsert, ["k", "naive"], [[2L, "later"]],
            [new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("naive", ColumnType.String))], Lake.T1), default);

        var snapshot = (await _lake.SnapshotAsync("typed"))!;
        Assert.Equal((3, 7, "timestampNtz"), (snapshot.Protocol.MinReaderVersion, snapshot.Protocol.MinWriterVersion, string.Join(",", snapshot.Protocol.ReaderFeatures ?? [])));
        Assert.Equal(ColumnType.String, (await destination.GetTablesAsync(Lake.Schema, default)).Single(t => t.Name == "typed").Find("naive")!.Type);
    }
}

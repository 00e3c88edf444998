using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Testing;

/// <summary>
/// One test's warehouse for <see cref="DestinationContractTests"/>: fresh and empty, destinations over it, and a reader
/// that checks the results with plain SQL.
/// </summary>
public interface IDestinationTarget : IAsyncDisposable
{
    /// <summary>Reads the warehouse.</summary>
    WarehouseReader Reader { get; }

    /// <summary>A new destination instance over this warehouse; the target disposes every instance it made (disposing twice is allowed).</summary>
    IDestination Open();

    /// <summary>The database type a column of <paramref name="type"/> has, as <see cref="WarehouseReader.ColumnsAsync"/> reports it.</summary>
    string PhysicalType(ColumnType type);
}

/// <summary>
/// The destination contract (DESIGN.md §3): every operation, type, widening, naming and system-column rule, driven through
/// <see cref="IDestination"/> alone and checked with SQL, so every destination that derives from it gives the same final
/// tables. A derived class supplies <see cref="CreateTargetAsync"/>.
/// </summary>
public abstract partial class DestinationContractTests
{
    protected const string Schema = "conn";
    protected static readonly SystemColumns Sys = SystemColumns.Tributary;
    protected static readonly DateTimeOffset T1 = new(2024, 9, 24, 14, 30, 45, TimeSpan.Zero);
    protected static readonly DateTimeOffset T2 = new(2024, 9, 25, 8, 0, 0, TimeSpan.Zero);
    protected static readonly DateTimeOffset T3 = new(2024, 9, 26, 8, 0, 0, TimeSpan.Zero);

    private const string Items = "\"conn\".\"items\"";
    private const string S1 = "2024-09-24T14:30:45Z";
    private const string S2 = "2024-09-25T08:00:00Z";
    private const string S3 = "2024-09-26T08:00:00Z";

    private static readonly TableSchema ItemsTable = Table("items", ["id"],
        ("id", ColumnType.Long), ("name", ColumnType.String), ("amount", ColumnType.Double), ("note", ColumnType.String));

    private static readonly TableSchema Specified = Table("specified", ["_bool"],
        ("_bool", ColumnType.Boolean), ("_short", ColumnType.Short), ("_int", ColumnType.Int), ("_long", ColumnType.Long),
        ("_dec", ColumnType.Decimal(15, 2)), ("_wide_dec", ColumnType.Decimal(38, 10)), ("_float", ColumnType.Float),
        ("_double", ColumnType.Double), ("_naive_date", ColumnType.NaiveDate), ("_naive_time", ColumnType.NaiveDateTime),
        ("_utc", ColumnType.UtcDateTime), ("_binary", ColumnType.Binary), ("_xml", ColumnType.Xml), ("_str", ColumnType.String),
        ("_json", ColumnType.Json), ("_null", ColumnType.String));

    private static readonly object?[] SpecifiedRow =
    [
        true, (short)15, 2_000_000_000, 132353453453635L, 105.34m, 123456789012345678.0123456789m, 10.4f, 0.0001,
        new DateOnly(2007, 12, 3), new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Unspecified),
        new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), new byte[] { 0, 1, 2, 3 },
        "<tag>This is XML</tag>", "This is a string", "{\"a\":10}", null,
    ];

    /// <summary>A fresh, empty warehouse for one test.</summary>
    protected abstract Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken);

    // ---- types ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_EveryType_RoundTripsExactValues()
    {
        await using var w = await OpenAsync();

        Assert.Equal(1, await w.CreateAsync(Specified, SpecifiedRow));

        var row = (await w.Reader.RowsAsync("SELECT * FROM \"conn\".\"specified\"", default)).Single();
        Assert.Equal(SpecifiedRow.Length + 2, row.Length);
        for (var i = 0; i < SpecifiedRow.Length; i++)
        {
            var expected = SpecifiedRow[i];
            if (Specified.Columns[i].Type == ColumnType.Json)
            {
                Assert.Equal(Values.CanonicalJson((string)expected!), Values.CanonicalJson(Assert.IsType<string>(row[i])));
            }
            else
            {
                Assert.Equal(expected?.GetType(), row[i]?.GetType());
                Assert.Equal(Values.Show(expected), Values.Show(row[i]));
            }
        }

        Assert.Equal(T1, row[^2]);
        Assert.Equal(false, row[^1]);
    }

    [Fact]
    public async Task WriteAsync_EveryType_CreatesItsPhysicalTypeAndRecordsTheTributaryTypeInTheComment()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(Specified, SpecifiedRow);

        var columns = await w.Reader.ColumnsAsync(Schema, "specified", default);

        Assert.Equal(
            Specified.Columns.Select(c => $"{c.Name} {w.Target.PhysicalType(c.Type)} {c.Type}"),
            columns.Select(c => $"{c.Name} {c.PhysicalType} {c.Comment}"));
    }

    [Fact]
    public async Task WriteAsync_EdgeValues_RoundTripExactly()
    {
        await using var w = await OpenAsync();
        var table = Table("edges", ["id"], ("id", ColumnType.Int), ("s", ColumnType.Short), ("l", ColumnType.Long), ("f", ColumnType.Float),
            ("d", ColumnType.Double), ("dec", ColumnType.Decimal(38, 0)), ("day", ColumnType.NaiveDate), ("ts", ColumnType.NaiveDateTime),
            ("utc", ColumnType.UtcDateTime), ("bin", ColumnType.Binary), ("str", ColumnType.String));
        object?[][] rows =
        [
            [1, short.MinValue, long.MinValue, float.MinValue, double.MinValue, -9999999999999999999999999999m, new DateOnly(1, 1, 1),
             new DateTime(1, 1, 1, 0, 0, 1), new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), Array.Empty<byte>(), ""],
            [2, short.MaxValue, long.MaxValue, float.Epsilon, double.Epsilon, 9999999999999999999999999999m, new DateOnly(9999, 12, 31),
             new DateTime(9999, 12, 31, 23, 59, 59).AddTicks(9_999_990), new DateTimeOffset(2262, 4, 11, 23, 47, 16, TimeSpan.Zero).AddTicks(8_543_210),
             new byte[] { 0, 255, 0 }, "héllo \u4e16\u754c 🌊 'quoted' \"double\" \\ back\nline\ttab"],
            [3, (short)0, 0L, -0.5f, 1e308, 0m, new DateOnly(2000, 2, 29), new DateTime(2000, 2, 29, 12, 0, 0).AddTicks(10),
             new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(999_990), new byte[300], new string('x', 100_000)],
        ];

        await w.CreateAsync(table, rows);

        Assert.Equal(rows.Select(Values.Show), await w.ShowAsync("SELECT id, s, l, f, d, dec, day, ts, utc, bin, str FROM \"conn\".\"edges\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_NonFiniteFloatingPoint_RoundTrips()
    {
        await using var w = await OpenAsync();
        var table = Table("floats", ["id"], ("id", ColumnType.Int), ("f", ColumnType.Float), ("d", ColumnType.Double));

        await w.CreateAsync(table, [1, float.NaN, double.NaN], [2, float.PositiveInfinity, double.PositiveInfinity], [3, float.NegativeInfinity, double.NegativeInfinity]);

        Assert.Equal(["1|NaN|NaN", "2|Infinity|Infinity", "3|-Infinity|-Infinity"], await w.ShowAsync("SELECT id, f, d FROM \"conn\".\"floats\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_UtcDateTimeWithOffset_StoresTheSameInstant()
    {
        await using var w = await OpenAsync();
        var table = Table("events", ["id"], ("id", ColumnType.Int), ("at", ColumnType.UtcDateTime));

        await w.CreateAsync(table, [1, new DateTimeOffset(2024, 9, 24, 16, 30, 45, TimeSpan.FromHours(2))]);
        await w.UpsertAsync(table, T2, [2, new DateTimeOffset(2024, 9, 24, 10, 30, 45, TimeSpan.Zero)]);

        Assert.Equal(["1|2024-09-24T14:30:45Z", "2|2024-09-24T10:30:45Z"], await w.ShowAsync("SELECT id, \"at\" FROM \"conn\".\"events\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_DecimalWithMoreDigitsThanScale_RoundsHalfAwayFromZero()
    {
        await using var w = await OpenAsync();
        var table = Table("prices", ["id"], ("id", ColumnType.Int), ("price", ColumnType.Decimal(15, 2)));

        await w.CreateAsync(table, [1, 1.005m], [2, -2.675m], [3, 9999999999999.99m]);
        await w.UpsertAsync(table, T2, [4, 0.125m]);

        Assert.Equal(["1.01", "-2.68", "9999999999999.99", "0.13"], await w.ShowAsync("SELECT price FROM \"conn\".\"prices\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_DecimalBeyondPrecision_ThrowsNamingColumnAndTableAndWritesNothing()
    {
        await using var w = await OpenAsync();
        var table = Table("prices", ["id"], ("id", ColumnType.Int), ("price", ColumnType.Decimal(5, 2)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.CreateAsync(table, [1, 1.5m], [2, 1000m]));

        Assert.Contains("'price'", error.Message, StringComparison.Ordinal);
        Assert.Contains("prices", error.Message, StringComparison.Ordinal);
        Assert.Empty(await w.Reader.TablesAsync(Schema, default));
    }

    [Fact]
    public async Task WriteAsync_VectorOfAnotherType_ThrowsNamingColumnAndTableAndKeepsTheRow()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        var vectors = new[] { ColumnType.Long, ColumnType.String, ColumnType.String, ColumnType.String }.Select(ColumnVector.Create).ToArray();
        foreach (var (vector, value) in vectors.Zip(new object?[] { 1L, "one", "not a double", null }))
        {
            vector.Append(value);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteAsync(
            new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), vectors, 1, [], T2)));

        Assert.Contains("'amount'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'items'", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1|one|1"], await w.ShowAsync($"SELECT id, name, amount FROM {Items}"));
    }

    // ---- create table ----------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_CreateTable_KeyColumnsNotNullAndPrimaryKeyInKeyOrder()
    {
        await using var w = await OpenAsync();
        var table = Table("pairs", ["b", "a"], ("a", ColumnType.String), ("b", ColumnType.Int), ("v", ColumnType.String));

        await w.CreateAsync(table);

        Assert.Equal(
            ["a False", "b False", "v True", "_tributary_synced True", "_tributary_deleted True"],
            (await w.Reader.ColumnsAsync(Schema, "pairs", default)).Select(c => $"{c.Name} {c.IsNullable}"));
        Assert.Equal(["b", "a"], await w.Reader.PrimaryKeyAsync(Schema, "pairs", default));
    }

    [Fact]
    public async Task WriteAsync_CreateTableWithoutRows_CreatesSchemaAndEmptyTable()
    {
        await using var w = await OpenAsync();

        Assert.Equal(0, await w.CreateAsync(ItemsTable));

        Assert.True(await w.Reader.SchemaExistsAsync(Schema, default));
        Assert.Empty(await w.ShowAsync($"SELECT * FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_CompositeKey_MergesOnEveryKeyColumn()
    {
        await using var w = await OpenAsync();
        var table = Table("pairs", ["a", "b"], ("a", ColumnType.String), ("b", ColumnType.Int), ("v", ColumnType.String));
        await w.CreateAsync(table, ["x", 1, "one"], ["x", 2, "two"]);

        await w.UpsertAsync(table, T2, ["x", 2, "TWO"], ["y", 1, "new"]);
        var deleted = await w.ChangeAsync(OperationKind.Delete, table, ["a", "b"], T3, ["x", 1], ["y", 2]);
        var updated = await w.ChangeAsync(OperationKind.Update, table, ["a", "b", "v"], T3, ["y", 1, "newer"], ["x", 3, "ghost"]);

        Assert.Equal(1, deleted);
        Assert.Equal(1, updated);
        Assert.Equal(
            ["x|1|one|true", "x|2|TWO|false", "y|1|newer|false"],
            await w.ShowAsync("SELECT a, b, v, _tributary_deleted FROM \"conn\".\"pairs\" ORDER BY a, b"));
    }

    [Fact]
    public async Task WriteAsync_KeylessTable_MergesOnSurrogateId()
    {
        await using var w = await OpenAsync();
        var table = Table("hello", [Sys.Id], ("message", ColumnType.String), (Sys.Id, ColumnType.String));
        await w.CreateAsync(table, ["hello, world!", "h1"]);

        await w.UpsertAsync(table, T2, ["hello, world!", "h1"], ["again", "h2"]);

        Assert.Equal(["h1|hello, world!|" + S2, "h2|again|" + S2], await w.ShowAsync("SELECT _tributary_id, message, _tributary_synced FROM \"conn\".\"hello\" ORDER BY 1"));
        Assert.Equal([Sys.Id], await w.Reader.PrimaryKeyAsync(Schema, "hello", default));
    }

    // ---- upsert ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_UpsertExistingKey_ReplacesWholeRowAndNullsMissingValues()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "keep?"), Item(2, "two", 2.5, "two's note"));

        var count = await w.UpsertAsync(ItemsTable, T2, Item(1, "uno", null, null), Item(3, "three", 3.5, null));

        Assert.Equal(2, count);
        Assert.Equal(
            [$"1|uno|NULL|NULL|{S2}|false", $"2|two|2.5|two's note|{S1}|false", $"3|three|3.5|NULL|{S2}|false"],
            await w.ShowAsync($"SELECT id, name, amount, note, _tributary_synced, _tributary_deleted FROM {Items} ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_UpsertWithoutSomeTableColumns_SetsThemNull()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "note"), Item(2, "two", 2.5, "other"));

        await w.WriteAsync(new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, ["id", "name"], [[1L, "uno"], [5L, "five"]], [], T2));

        Assert.Equal(["1|uno|NULL|NULL", "2|two|2.5|other", "5|five|NULL|NULL"], await w.ShowAsync($"SELECT id, name, amount, note FROM {Items} ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_UpsertDeletedKey_RevivesRow()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [1L]);
        Assert.Equal(["true"], await w.ShowAsync($"SELECT _tributary_deleted FROM {Items}"));

        await w.UpsertAsync(ItemsTable, T3, Item(1, "again", 2, null));

        Assert.Equal([$"again|false|{S3}"], await w.ShowAsync($"SELECT name, _tributary_deleted, _tributary_synced FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_UpsertBatchesIntoExistingTable_MergesInsertsAndReplacements()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, [.. Enumerable.Range(0, 5000).Select(i => Item(i, "first", i, null))]);

        var count = await w.UpsertAsync(ItemsTable, T2, [.. Enumerable.Range(2500, 5000).Select(i => Item(i, "second", -i, "n"))]);

        Assert.Equal(5000, count);
        var rows = await w.Reader.RowsAsync($"SELECT id, name, amount, note, _tributary_synced FROM {Items} ORDER BY id", default);
        Assert.Equal(7500, rows.Count);
        Assert.All(rows, r => Assert.Equal(
            (long)r[0]! < 2500 ? $"{r[0]}|first|{r[0]}|NULL|{S1}" : $"{r[0]}|second|-{r[0]}|n|{S2}",
            Values.Show(r)));
    }

    [Fact]
    public async Task WriteAsync_UpsertOfOnlyNewKeysAfterAddColumn_WritesEveryColumn()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        var wider = With(ItemsTable, "extra", ColumnType.Int);   // added last, after the system columns
        await w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[2L, "two", 2.0, "n2", 20]],
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Int))], T2));

        var count = await w.UpsertAsync(wider, T3, [.. Enumerable.Range(3, 3000).Select(i => (object?[])[(long)i, "new", (double)i, null, i * 10])]);

        Assert.Equal(3000, count);
        var rows = await w.ShowAsync($"SELECT id, name, amount, note, extra, _tributary_deleted, _tributary_synced FROM {Items} ORDER BY id");
        Assert.Equal(3002, rows.Count);
        Assert.Equal($"1|one|1|NULL|NULL|false|{S1}", rows[0]);
        Assert.Equal($"2|two|2|n2|20|false|{S2}", rows[1]);
        Assert.All(rows.Skip(2).Select((r, i) => (Row: r, Id: i + 3)), x => Assert.Equal($"{x.Id}|new|{x.Id}|NULL|{x.Id * 10}|false|{S3}", x.Row));
    }

    [Fact]
    public async Task WriteAsync_UpsertOfNewKeysEndingWithAnExistingOne_WritesTheWholeBatchOnce()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, [.. Enumerable.Range(0, 1000).Select(i => Item(i, "first", i, null))]);
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [999L]);
        var wider = With(ItemsTable, "extra", ColumnType.String);
        var rows = Enumerable.Range(1000, 5000).Select(i => (object?[])[(long)i, "second", (double)i, null, "x"]).Append([999L, "revived", 9.0, "n", "y"]).ToList();

        var count = await w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), rows,
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.String))], T3));
        await w.UpsertAsync(wider, T3, [7000L, "later", 1.0, null, null], [0L, "replaced", 0.0, null, null]);
        await w.UpsertAsync(wider, T3, [7001L, "later", 1.0, null, null]);

        Assert.Equal(5001, count);
        var all = await w.Reader.RowsAsync($"SELECT id, name, extra, _tributary_deleted, _tributary_synced FROM {Items} ORDER BY id", default);
        Assert.Equal(6002, all.Count);
        Assert.Equal($"0|replaced|NULL|false|{S3}", Values.Show(all[0]));
        Assert.Equal($"1|first|NULL|false|{S1}", Values.Show(all[1]));
        Assert.Equal($"999|revived|y|false|{S3}", Values.Show(all[999]));
        Assert.Equal($"1000|second|x|false|{S3}", Values.Show(all[1000]));
        Assert.Equal($"7001|later|NULL|false|{S3}", Values.Show(all[^1]));
    }

    // ---- update ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_Update_ChangesOnlyGivenColumnsAndSynced()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "note"), Item(2, "two", 2.5, "other"));

        var matched = await w.ChangeAsync(OperationKind.Update, ItemsTable, ["id", "name"], T2, [1L, "uno"]);

        Assert.Equal(1, matched);
        Assert.Equal(
            [$"1|uno|1.5|note|{S2}|false", $"2|two|2.5|other|{S1}|false"],
            await w.ShowAsync($"SELECT id, name, amount, note, _tributary_synced, _tributary_deleted FROM {Items} ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_UpdateToNull_SetsOnlyThatColumnNull()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "note"));

        await w.ChangeAsync(OperationKind.Update, ItemsTable, ["id", "note"], T2, [1L, null]);

        Assert.Equal(["one|1.5|NULL"], await w.ShowAsync($"SELECT name, amount, note FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_UpdateUnknownKeys_ChangesNothingAndCountsOnlyMatches()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));

        var matched = await w.ChangeAsync(OperationKind.Update, ItemsTable, ["id", "name"], T2, [1L, "uno"], [7L, "ghost"], [8L, "ghost"]);

        Assert.Equal(1, matched);
        Assert.Equal(["1|uno"], await w.ShowAsync($"SELECT id, name FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_UpdateOfDeletedRow_ChangesItsValuesAndKeepsItDeleted()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [1L]);

        var matched = await w.ChangeAsync(OperationKind.Update, ItemsTable, ["id", "amount"], T3, [1L, 9.5]);

        Assert.Equal(1, matched);
        Assert.Equal([$"one|9.5|true|{S3}"], await w.ShowAsync($"SELECT name, amount, _tributary_deleted, _tributary_synced FROM {Items}"));
    }

    // ---- delete and truncate ---------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_Delete_SoftDeletesMatchesAndCountsThem()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null), Item(2, "two", 2, null), Item(3, "three", 3, null));

        var matched = await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [2L], [3L], [99L]);

        Assert.Equal(2, matched);
        Assert.Equal(
            [$"1|one|false|{S1}", $"2|two|true|{S2}", $"3|three|true|{S2}"],
            await w.ShowAsync($"SELECT id, name, _tributary_deleted, _tributary_synced FROM {Items} ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_DeleteTwice_KeepsTheRowDeletedWithItsValues()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, "n"));

        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [1L]);
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T3, [1L]);

        Assert.Equal(["1|one|1|n|true"], await w.ShowAsync($"SELECT id, name, amount, note, _tributary_deleted FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_TruncateThenUpsert_SoftDeletesEarlierRowsAndKeepsLaterOnesLive()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null), Item(2, "two", 2, null), Item(3, "three", 3, null));
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [3L]);

        var truncated = await w.TruncateAsync(ItemsTable, T3);
        await w.UpsertAsync(ItemsTable, T3, Item(2, "two again", 2, null), Item(4, "four", 4, null));

        Assert.Equal(2, truncated);
        Assert.Equal(
            [$"1|one|true|{S3}", $"2|two again|false|{S3}", $"3|three|true|{S2}", $"4|four|false|{S3}"],
            await w.ShowAsync($"SELECT id, name, _tributary_deleted, _tributary_synced FROM {Items} ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_TruncateEmptyTable_SoftDeletesNothing()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable);

        Assert.Equal(0, await w.TruncateAsync(ItemsTable, T2));
        Assert.Empty(await w.ShowAsync($"SELECT * FROM {Items}"));
    }

    // ---- schema changes --------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_AddColumn_AddsNullableCommentedColumnAndWritesIt()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        var wider = With(ItemsTable, "payload", ColumnType.Json);

        await w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[2L, "two", 2.0, null, "[1,2]"]],
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("payload", ColumnType.Json))], T2));

        Assert.Equal(["1|NULL", "2|[1,2]"], (await w.Reader.RowsAsync($"SELECT id, payload FROM {Items} ORDER BY id", default))
            .Select(r => $"{r[0]}|{(r[1] is string json ? Values.CanonicalJson(json) : "NULL")}"));
        var payload = (await w.Reader.ColumnsAsync(Schema, "items", default)).Single(c => c.Name == "payload");
        Assert.Equal($"True {w.Target.PhysicalType(ColumnType.Json)} JSON", $"{payload.IsNullable} {payload.PhysicalType} {payload.Comment}");
    }

    [Fact]
    public async Task WriteAsync_WidenIntToLongToDoubleToString_KeepsValuesInPlace()
    {
        await using var w = await OpenAsync();
        var table = Table("schema_change", ["id"], ("id", ColumnType.Int), ("v", ColumnType.Int));
        await w.CreateAsync(table, [1, 42]);

        await w.WriteAsync(Widen(With(table, "v", ColumnType.Long), "v", ColumnType.Long, [2, 5_000_000_000L]));
        Assert.Equal(w.Target.PhysicalType(ColumnType.Long), await PhysicalTypeAsync(w, "schema_change", "v"));
        await w.WriteAsync(Widen(With(table, "v", ColumnType.Double), "v", ColumnType.Double, [3, 42.42]));
        Assert.Equal(w.Target.PhysicalType(ColumnType.Double), await PhysicalTypeAsync(w, "schema_change", "v"));
        await w.WriteAsync(Widen(With(table, "v", ColumnType.String), "v", ColumnType.String, [4, "a string"]));

        Assert.Equal(w.Target.PhysicalType(ColumnType.String), await PhysicalTypeAsync(w, "schema_change", "v"));
        Assert.Equal(["1|42", "2|5000000000", "3|42.42", "4|a string"], await w.ShowAsync("SELECT id, v FROM \"conn\".\"schema_change\" ORDER BY id"));
        Assert.Equal("STRING", (await w.Reader.ColumnsAsync(Schema, "schema_change", default)).Single(c => c.Name == "v").Comment);
    }

    [Fact]
    public async Task WriteAsync_WidenEveryTypeToString_WritesValuesAsTheRuntimeWritesText()
    {
        await using var w = await OpenAsync();
        var types = new (string Name, ColumnType Type)[]
        {
            ("b", ColumnType.Boolean), ("sh", ColumnType.Short), ("l", ColumnType.Long), ("f", ColumnType.Float), ("dbl", ColumnType.Double),
            ("d", ColumnType.NaiveDate), ("ts", ColumnType.NaiveDateTime), ("utc", ColumnType.UtcDateTime), ("bin", ColumnType.Binary),
            ("x", ColumnType.Xml),
        };
        var table = Table("texts", ["id"], [("id", ColumnType.Int), .. types]);
        object?[][] rows =
        [
            [1, true, (short)-7, 132353453453635L, 10.4f, 42.0, new DateOnly(2007, 12, 3), new DateTime(2007, 12, 3, 10, 15, 30),
             new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), new byte[] { 0, 1, 2, 3 }, "<a>1</a>"],
            [2, false, (short)0, -1L, -0.5f, 0.0001, new DateOnly(2024, 1, 31), new DateTime(2024, 1, 31, 0, 0, 0).AddTicks(1234560),
             new DateTimeOffset(2024, 1, 31, 23, 59, 0, TimeSpan.Zero), Array.Empty<byte>(), ""],
            [3, null, null, null, 3e-7f, 1.5e20, null, new DateTime(2024, 1, 31, 0, 0, 0).AddTicks(1000000), null,
             Enumerable.Range(0, 100).Select(i => (byte)i).ToArray(), null],
            [4, null, null, null, null, 0.30000000000000004, null, null, null, null, null],
            [5, null, null, null, null, 123456789012345.0, null, null, null, null, null],
            [6, null, null, null, null, 1e15, null, null, null, null, null],
        ];
        await w.CreateAsync(table, rows);
        var widened = table;
        var changes = new List<SchemaChange>();
        foreach (var (name, _) in types)
        {
            widened = With(widened, name, ColumnType.String);
            changes.Add(new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema(name, ColumnType.String)));
        }

        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened), [], changes, T2));

        Assert.Equal(
            rows.Select(r => string.Join('|', r.Select(v => v is null ? "NULL" : v is int id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : TypeSystem.ToText(v)))),
            await w.ShowAsync("SELECT id, b, sh, l, f, dbl, d, ts, utc, bin, x FROM \"conn\".\"texts\" ORDER BY id"));
        Assert.All(await w.Reader.ColumnsAsync(Schema, "texts", default), c => Assert.True(
            c.Name is "id" or "_tributary_synced" or "_tributary_deleted" || (c.PhysicalType == w.Target.PhysicalType(ColumnType.String) && c.Comment == "STRING"),
            $"{c.Name} is {c.PhysicalType} {c.Comment}"));
    }

    [Fact]
    public async Task WriteAsync_WidenNonFiniteDoubleToString_WritesValuesAsTheRuntimeWritesText()
    {
        await using var w = await OpenAsync();
        var table = Table("nonfinite", ["id"], ("id", ColumnType.Int), ("dbl", ColumnType.Double));
        await w.CreateAsync(table, [1, double.NaN], [2, double.PositiveInfinity], [3, double.NegativeInfinity]);

        await w.WriteAsync(Widen(With(table, "dbl", ColumnType.String), "dbl", ColumnType.String));

        Assert.Equal(
            [$"1|{TypeSystem.ToText(double.NaN)}", $"2|{TypeSystem.ToText(double.PositiveInfinity)}", $"3|{TypeSystem.ToText(double.NegativeInfinity)}"],
            await w.ShowAsync("SELECT id, dbl FROM \"conn\".\"nonfinite\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_WidenDecimalToString_WritesTheValueWithTheColumnsScale()
    {
        await using var w = await OpenAsync();
        var table = Table("decimals", ["id"], ("id", ColumnType.Int), ("dec", ColumnType.Decimal(10, 2)));
        await w.CreateAsync(table, [1, 12.5m], [2, -0.01m], [3, 7m]);

        await w.WriteAsync(Widen(With(table, "dec", ColumnType.String), "dec", ColumnType.String));

        Assert.Equal(["1|12.50", "2|-0.01", "3|7.00"], await w.ShowAsync("SELECT id, dec FROM \"conn\".\"decimals\" ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_WidenJsonToString_KeepsEachDocument()
    {
        await using var w = await OpenAsync();
        var table = Table("docs", ["id"], ("id", ColumnType.Int), ("doc", ColumnType.Json));
        await w.CreateAsync(table, [1, "{\"b\":1,\"a\":[1,2,{\"c\":null}]}"], [2, "[]"], [3, "\"text\""]);

        await w.WriteAsync(Widen(With(table, "doc", ColumnType.String), "doc", ColumnType.String, [4, "plain"]));

        Assert.Equal(
            ["1|{\"a\":[1,2,{\"c\":null}],\"b\":1}", "2|[]", "3|\"text\"", "4|plain"],
            (await w.Reader.RowsAsync("SELECT id, doc FROM \"conn\".\"docs\" ORDER BY id", default))
                .Select(r => $"{r[0]}|{((int)r[0]! < 4 ? Values.CanonicalJson((string)r[1]!) : r[1])}"));
        Assert.Equal(w.Target.PhysicalType(ColumnType.String), await PhysicalTypeAsync(w, "docs", "doc"));
    }

    [Fact]
    public async Task WriteAsync_WidenNumbersAndTimes_ConvertsInPlace()
    {
        await using var w = await OpenAsync();
        var table = Table("mixed", ["id"], ("id", ColumnType.Int), ("n", ColumnType.Short), ("small", ColumnType.Short), ("i", ColumnType.Int),
            ("dec", ColumnType.Decimal(10, 2)), ("dec2", ColumnType.Decimal(10, 2)), ("f", ColumnType.Float), ("day", ColumnType.NaiveDate),
            ("day2", ColumnType.NaiveDate), ("ts", ColumnType.NaiveDateTime));
        await w.CreateAsync(table, [1, (short)12, (short)-3, 7, 1.25m, 2.5m, 0.5f, new DateOnly(2024, 5, 6), new DateOnly(2024, 5, 7),
            new DateTime(2024, 5, 8, 22, 30, 0)]);
        (string Column, ColumnType Type)[] widenings =
        [
            ("n", ColumnType.Decimal(10, 2)), ("small", ColumnType.Float), ("i", ColumnType.Decimal(12, 2)), ("dec", ColumnType.Decimal(20, 4)),
            ("dec2", ColumnType.Double), ("f", ColumnType.Double), ("day", ColumnType.UtcDateTime), ("day2", ColumnType.NaiveDateTime),
            ("ts", ColumnType.UtcDateTime),
        ];
        var widened = widenings.Aggregate(table, (t, c) => With(t, c.Column, c.Type));

        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened),
            [[2, 3.25m, 1.5f, 100.01m, 12345678.1234m, 0.1, 1.25, new DateTimeOffset(2024, 5, 7, 1, 2, 3, TimeSpan.Zero), new DateTime(2024, 5, 9, 1, 2, 3),
              new DateTimeOffset(2024, 5, 10, 1, 2, 3, TimeSpan.Zero)]],
            [.. widenings.Select(c => new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema(c.Column, c.Type)))], T2));

        Assert.Equal(
            ["1|12|-3|7|1.25|2.5|0.5|2024-05-06T00:00:00Z|2024-05-07T00:00:00|2024-05-08T22:30:00Z",
             "2|3.25|1.5|100.01|12345678.1234|0.1|1.25|2024-05-07T01:02:03Z|2024-05-09T01:02:03|2024-05-10T01:02:03Z"],
            await w.ShowAsync("SELECT id, n, small, i, dec, dec2, f, day, day2, ts FROM \"conn\".\"mixed\" ORDER BY id"));
        var columns = (await w.Reader.ColumnsAsync(Schema, "mixed", default)).ToDictionary(c => c.Name);
        Assert.All(widenings, c => Assert.Equal($"{w.Target.PhysicalType(c.Type)} {c.Type}", $"{columns[c.Column].PhysicalType} {columns[c.Column].Comment}"));
        var rows = await w.Reader.RowsAsync("SELECT n, small, dec2, f, day, day2, ts FROM \"conn\".\"mixed\" WHERE id = 1", default);
        Assert.Equal([typeof(decimal), typeof(float), typeof(double), typeof(double), typeof(DateTimeOffset), typeof(DateTime), typeof(DateTimeOffset)],
            rows.Single().Select(v => v!.GetType()));
    }

    [Fact]
    public async Task WriteAsync_WidenXmlToString_KeepsValuesAndReadsBackAsString()
    {
        await using var w = await OpenAsync();
        var table = Table("xml", ["id"], ("id", ColumnType.Int), ("doc", ColumnType.Xml));
        await w.CreateAsync(table, [1, "<a>1</a>"]);

        await w.WriteAsync(Widen(With(table, "doc", ColumnType.String), "doc", ColumnType.String, [2, "not xml <"]));

        Assert.Equal(["1|<a>1</a>", "2|not xml <"], await w.ShowAsync("SELECT id, doc FROM \"conn\".\"xml\" ORDER BY id"));
        Assert.Equal(["id INT", "doc STRING"], (await w.Target.Open().GetTablesAsync(Schema, default)).Single().Columns.Take(2).Select(c => $"{c.Name} {c.Type}"));
    }

    // ---- reading the schema back -----------------------------------------------------------------------------

    [Fact]
    public async Task GetTablesAsync_AfterCreateAddAndWiden_ReturnsColumnsTypesAndKeysInOrder()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(Specified, SpecifiedRow);
        var pairs = Table("pairs", ["b", "a"], ("a", ColumnType.String), ("b", ColumnType.Int), ("v", ColumnType.Xml));
        await w.CreateAsync(pairs);
        var widened = With(With(pairs, "v", ColumnType.String), "extra", ColumnType.Json);
        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened), [],
            [
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("v", ColumnType.String)),
                new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Json)),
            ], T2));

        var tables = await w.Destination.GetTablesAsync(Schema, default);

        Assert.Equal(["pairs", "specified"], tables.Select(t => t.Name));
        Assert.Equal(["b", "a"], tables[0].PrimaryKey);
        Assert.Equal(
            ["a STRING", "b INT", "v STRING", "_tributary_synced UTC_DATETIME", "_tributary_deleted BOOLEAN", "extra JSON"],
            tables[0].Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(["_bool"], tables[1].PrimaryKey);
        Assert.Equal(Specified.Columns, tables[1].Columns);
    }

    [Fact]
    public async Task GetTablesAsync_UnknownSchema_ReturnsEmpty()
    {
        await using var w = await OpenAsync();

        Assert.Empty(await w.Destination.GetTablesAsync("nothing_here", default));
    }

    [Fact]
    public async Task GetTablesAsync_AnotherInstanceAfterDispose_ReadsWhatTheFirstWrote()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.Destination.DisposeAsync();

        var reopened = w.Target.Open();
        var table = (await reopened.GetTablesAsync(Schema, default)).Single();
        await reopened.WriteAsync(new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [Item(1, "uno", 1, null), Item(2, "two", 2, null)], [], T2), default);

        Assert.Equal(ItemsTable.PrimaryKey, table.PrimaryKey);
        Assert.Equal(ItemsTable.Columns, table.Columns);
        Assert.Equal(["1|uno", "2|two"], await w.ShowAsync($"SELECT id, name FROM {Items} ORDER BY id"));
    }

    // ---- transactions ----------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_BatchFailingMidway_LeavesTableAsItWas()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null), Item(2, "two", 2, null));
        var wider = With(ItemsTable, "extra", ColumnType.Decimal(5, 2));
        var rows = Enumerable.Range(1, 10_000).Select(i => (object?[])[(long)i, "changed", (double)i, null, 1.25m]).ToList();
        rows[7_000][4] = 1000m;   // too large for DECIMAL(5,2): the write fails after 7,000 rows

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert,
            Writable(wider), rows, [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Decimal(5, 2)))], T2)));

        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1|one", "2|two"], await w.ShowAsync($"SELECT id, name FROM {Items} ORDER BY id"));
        Assert.DoesNotContain(await w.Reader.ColumnsAsync(Schema, "items", default), c => c.Name == "extra");
        Assert.Equal(2, await w.UpsertAsync(ItemsTable, T3, Item(2, "two again", 2, null), Item(3, "three", 3, null)));
        Assert.Equal(["1|one", "2|two again", "3|three"], await w.ShowAsync($"SELECT id, name FROM {Items} ORDER BY id"));
    }

    [Fact]
    public async Task WriteAsync_FirstBatchFailing_LeavesNoTable()
    {
        await using var w = await OpenAsync();
        var table = Table("prices", ["id"], ("id", ColumnType.Int), ("price", ColumnType.Decimal(5, 2)));

        await Assert.ThrowsAsync<InvalidOperationException>(() => w.CreateAsync(table, [.. Enumerable.Range(0, 5000).Select(i => (object?[])[i, i == 4999 ? 1000m : 1m])]));

        Assert.Empty(await w.Reader.TablesAsync(Schema, default));
        Assert.Equal(1, await w.CreateAsync(table, [1, 2m]));
        Assert.Equal(["1|2"], await w.ShowAsync("SELECT id, price FROM \"conn\".\"prices\""));
    }

    [Fact]
    public async Task WriteAsync_CancelledBeforeStart_WritesNothing()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => w.Destination.WriteAsync(
            new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [Item(1, "changed", 1, null)], [], T2), cancelled.Token));

        Assert.Equal(["one"], await w.ShowAsync($"SELECT name FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_ReplayFromAnEarlierBatch_ConvergesToTheSameTable()
    {
        var wider = With(ItemsTable, "extra", ColumnType.String);
        WriteBatch[] Batches() =>
        [
            new(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [Item(1, "one", 1, null), Item(2, "two", 2, null), Item(3, "three", 3, null)],
                [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1),
            new(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[2L, "two!", 2.5, null, "e"], [4L, "four", 4.0, "n", null]],
                [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.String))], T2),
            new(Schema, wider, Sys, OperationKind.Update, ["id", "note"], [[1L, "updated"]], [], T2),
            new(Schema, wider, Sys, OperationKind.Delete, ["id"], [[3L]], [], T2),
            new(Schema, wider, Sys, OperationKind.Truncate, [], [], [], T3),
            new(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[5L, "five", 5.0, null, "x"], [2L, "two again", null, null, null]], [], T3),
        ];
        // An update of a soft-deleted row sets its synced time and a later truncate leaves deleted rows alone, so a replayed update
        // of a row the truncate had deleted keeps the update's time: synced is compared for live rows only.
        const string Query = "SELECT id, name, amount, note, CASE WHEN _tributary_deleted THEN NULL ELSE _tributary_synced END, _tributary_deleted, extra FROM \"conn\".\"items\" ORDER BY id";

        await using var once = await OpenAsync();
        foreach (var batch in Batches())
        {
            await once.WriteAsync(batch);
        }

        await using var replayed = await OpenAsync();
        foreach (var batch in Batches())
        {
            await replayed.WriteAsync(batch);
        }

        // A run that died after the last batch, replayed from the state saved after the first: the column already exists.
        var replay = Batches()[1..];
        replay[0] = new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[2L, "two!", 2.5, null, "e"], [4L, "four", 4.0, "n", null]], [], T2);
        foreach (var batch in replay)
        {
            await replayed.WriteAsync(batch);
        }

        Assert.Equal(await once.ShowAsync(Query), await replayed.ShowAsync(Query));
        Assert.Equal(
            ["1|one|1|updated|NULL|true|NULL", $"2|two again|NULL|NULL|{S3}|false|NULL", "3|three|3|NULL|NULL|true|NULL", "4|four|4|n|NULL|true|NULL", $"5|five|5|NULL|{S3}|false|x"],
            await replayed.ShowAsync(Query));
    }

    // ---- names, system columns, schemas ----------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_ReservedWordsAndQuotesInNames_AreQuotedEverywhere()
    {
        await using var w = await OpenAsync();
        var table = Table("order", ["select"], ("select", ColumnType.Int), ("from", ColumnType.String), ("we\"ird name", ColumnType.Json));
        WriteBatch Batch(OperationKind kind, string[] columns, object?[][] rows, SchemaChange[] changes) => new("group", table, Sys, kind, columns, rows, changes, T1);

        await w.WriteAsync(Batch(OperationKind.Upsert, Writable(table), [[1, "a", "{}"], [2, "b", "[]"]], [new SchemaChange(SchemaChangeKind.CreateTable, null)]));
        await w.WriteAsync(Batch(OperationKind.Upsert, Writable(table), [[1, "a2", "{\"x\":1}"]], []));
        await w.WriteAsync(Batch(OperationKind.Update, ["select", "we\"ird name"], [[2, "[1]"]], []));
        await w.WriteAsync(Batch(OperationKind.Delete, ["select"], [[2]], []));
        await w.WriteAsync(Batch(OperationKind.Truncate, [], [], []));
        var read = (await w.Destination.GetTablesAsync("group", default)).Single();

        Assert.Equal(
            ["1|a2|{\"x\":1}|true", "2|b|[1]|true"],
            (await w.Reader.RowsAsync("SELECT \"select\", \"from\", \"we\"\"ird name\", _tributary_deleted FROM \"group\".\"order\" ORDER BY 1", default))
                .Select(r => $"{r[0]}|{r[1]}|{Values.CanonicalJson((string)r[2]!)}|{Values.Show(r[3])}"));
        Assert.Equal(table.Columns, read.Columns);
        Assert.Equal(["select"], read.PrimaryKey);
    }

    [Fact]
    public async Task WriteAsync_FivetranSystemColumns_CarryEveryOperation()
    {
        await using var w = await OpenAsync();
        var fivetran = SystemColumns.Fivetran;
        var table = new TableSchema("users", [new ColumnSchema("name", ColumnType.String), new ColumnSchema(fivetran.Id, ColumnType.String), .. fivetran.Trailing()], [fivetran.Id]);
        WriteBatch Batch(OperationKind kind, string[] columns, object?[][] rows, SchemaChange[] changes, DateTimeOffset at) =>
            new(Schema, table, fivetran, kind, columns, rows, changes, at);

        await w.WriteAsync(Batch(OperationKind.Upsert, ["name", fivetran.Id], [["ann", "h1"], ["bob", "h2"], ["cy", "h3"]], [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1));
        await w.WriteAsync(Batch(OperationKind.Update, [fivetran.Id, "name"], [["h1", "anne"]], [], T2));
        await w.WriteAsync(Batch(OperationKind.Delete, [fivetran.Id], [["h2"]], [], T2));
        Assert.Equal(2, await w.WriteAsync(Batch(OperationKind.Truncate, [], [], [], T3)));
        await w.WriteAsync(Batch(OperationKind.Upsert, ["name", fivetran.Id], [["cy", "h3"]], [], T3));

        Assert.Equal(
            [$"h1|anne|{S3}|true", $"h2|bob|{S2}|true", $"h3|cy|{S3}|false"],
            await w.ShowAsync("SELECT _fivetran_id, name, _fivetran_synced, _fivetran_deleted FROM \"conn\".\"users\" ORDER BY 1"));
        Assert.Equal(table.Columns, (await w.Destination.GetTablesAsync(Schema, default)).Single().Columns);
    }

    [Fact]
    public async Task WriteAsync_SameTableInTwoSchemas_AreIndependent()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.WriteAsync(new WriteBatch("other", ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [Item(1, "elsewhere", 9, null)],
            [new SchemaChange(SchemaChangeKind.CreateTable, null)], T2));

        await w.WriteAsync(new WriteBatch("other", ItemsTable, Sys, OperationKind.Truncate, [], [], [], T3));

        Assert.Equal(["one|false"], await w.ShowAsync($"SELECT name, _tributary_deleted FROM {Items}"));
        Assert.Equal(["elsewhere|true"], await w.ShowAsync("SELECT name, _tributary_deleted FROM \"other\".\"items\""));
    }

    [Fact]
    public async Task DropSchemaAsync_ExistingSchema_DropsEveryTable()
    {
        await using var w = await OpenAsync();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.CreateAsync(Specified, SpecifiedRow);

        await w.Destination.DropSchemaAsync(Schema, default);

        Assert.False(await w.Reader.SchemaExistsAsync(Schema, default));
        Assert.Empty(await w.Destination.GetTablesAsync(Schema, default));
        Assert.Equal(1, await w.CreateAsync(ItemsTable, Item(1, "one", 1, null)));
    }

    [Fact]
    public async Task DropSchemaAsync_MissingSchema_DoesNothing()
    {
        await using var w = await OpenAsync();

        await w.Destination.DropSchemaAsync("never_created", default);

        Assert.False(await w.Reader.SchemaExistsAsync("never_created", default));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /// <summary>A table: the given columns, then the synced and deleted system columns.</summary>
    protected static TableSchema Table(string name, string[] key, params (string Name, ColumnType Type)[] columns) =>
        new(name, [.. columns.Select(c => new ColumnSchema(c.Name, c.Type)), .. Sys.Trailing()], key);

    /// <summary>The same table with one more column or one column's type changed (added columns go last, after the system columns).</summary>
    protected static TableSchema With(TableSchema table, string column, ColumnType type)
    {
        var columns = table.Columns.ToList();
        var index = columns.FindIndex(c => c.Name == column);
        if (index >= 0)
        {
            columns[index] = new ColumnSchema(column, type);
        }
        else
        {
            columns.Add(new ColumnSchema(column, type));
        }

        return new TableSchema(table.Name, columns, table.PrimaryKey);
    }

    /// <summary>The non-system column names of <paramref name="table"/>, the columns an upsert carries.</summary>
    protected static string[] Writable(TableSchema table) =>
        [.. table.Columns.Select(c => c.Name).Where(n => n != Sys.Synced && n != Sys.Deleted)];

    private static object?[] Item(long id, string? name, double? amount, string? note) => [id, name, amount, note];

    private static WriteBatch Widen(TableSchema widened, string column, ColumnType type, params object?[][] rows) =>
        new(Schema, widened, Sys, OperationKind.Upsert, Writable(widened), rows,
            [new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema(column, type))], T2);

    private static async Task<string> PhysicalTypeAsync(Session w, string table, string column) =>
        (await w.Reader.ColumnsAsync(Schema, table, default)).Single(c => c.Name == column).PhysicalType;

    private async Task<Session> OpenAsync()
    {
        var target = await CreateTargetAsync(CancellationToken.None);
        return new Session(target);
    }

    /// <summary>One test's warehouse with the destination under test.</summary>
    protected sealed class Session(IDestinationTarget target) : IAsyncDisposable
    {
        public IDestinationTarget Target { get; } = target;

        public IDestination Destination { get; } = target.Open();

        public WarehouseReader Reader => Target.Reader;

        public Task<long> CreateAsync(TableSchema table, params object?[][] rows) =>
            WriteAsync(new WriteBatch(Schema, table, Sys, OperationKind.Upsert, Writable(table), rows, [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1));

        public Task<long> UpsertAsync(TableSchema table, DateTimeOffset syncedAt, params object?[][] rows) =>
            WriteAsync(new WriteBatch(Schema, table, Sys, OperationKind.Upsert, Writable(table), rows, [], syncedAt));

        public Task<long> ChangeAsync(OperationKind kind, TableSchema table, string[] columns, DateTimeOffset syncedAt, params object?[][] rows) =>
            WriteAsync(new WriteBatch(Schema, table, Sys, kind, columns, rows, [], syncedAt));

        public Task<long> TruncateAsync(TableSchema table, DateTimeOffset syncedAt) =>
            WriteAsync(new WriteBatch(Schema, table, Sys, OperationKind.Truncate, [], [], [], syncedAt));

        public Task<long> WriteAsync(WriteBatch batch) => Destination.WriteAsync(batch, CancellationToken.None);

        /// <summary>Every row of a query as its values' canonical text joined by <c>|</c>.</summary>
        public async Task<List<string>> ShowAsync(string sql) => [.. (await Reader.RowsAsync(sql, CancellationToken.None)).Select(Values.Show)];

        public ValueTask DisposeAsync() => Target.DisposeAsync();
    }
}

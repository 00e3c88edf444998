using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using static Tributary.Destinations.DuckDb.Tests.Warehouse;

namespace Tributary.Destinations.DuckDb.Tests;

public sealed class DuckDbDestinationTests
{
    private const string Items = "\"conn\".\"items\"";

    private static readonly TableSchema ItemsTable = Table("items", ["id"],
        ("id", ColumnType.Long), ("name", ColumnType.String), ("amount", ColumnType.Double), ("note", ColumnType.String));

    private static object?[] Item(long id, string? name, double? amount, string? note) => [id, name, amount, note];

    // ---- types ---------------------------------------------------------------------------------------------

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
        "<tag>This is XML</tag>", "This is a string", "{\"a\": 10}", null,
    ];

    [Fact]
    public async Task WriteAsync_EveryType_RoundTripsExactValues()
    {
        await using var w = new Warehouse();

        Assert.Equal(1, await w.CreateAsync(Specified, SpecifiedRow));

        var exact = w.Rows(
            """
            SELECT _bool = true, _short = 15, _int = 2000000000, _long = 132353453453635, _dec = 105.34,
                   _wide_dec = 123456789012345678.0123456789, _float = 10.4::FLOAT, _double = 0.0001,
                   _naive_date = DATE '2007-12-03', _naive_time = TIMESTAMP '2007-12-03 10:15:30',
                   _utc = TIMESTAMPTZ '2007-12-03 10:15:30.123+00', _binary = '\x00\x01\x02\x03'::BLOB,
                   _xml = '<tag>This is XML</tag>', _str = 'This is a string', _json = '{"a": 10}', _null IS NULL,
                   _tributary_synced = TIMESTAMPTZ '2024-09-24 14:30:45+00', _tributary_deleted = false
            FROM "conn"."specified"
            """).Single();
        Assert.All(exact, v => Assert.Equal(true, v));

        var typed = w.Rows("SELECT _short, _long, _dec, _float, _double, _naive_date, _naive_time, _binary, _json FROM \"conn\".\"specified\"").Single();
        Assert.Equal((short)15, typed[0]);
        Assert.Equal(132353453453635L, typed[1]);
        Assert.Equal(105.34m, typed[2]);
        Assert.Equal(10.4f, typed[3]);
        Assert.Equal(0.0001, typed[4]);
        Assert.Equal(new DateOnly(2007, 12, 3), typed[5]);
        Assert.Equal(new DateTime(2007, 12, 3, 10, 15, 30), typed[6]);
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, ReadBytes(typed[7]));
        Assert.Equal("{\"a\": 10}", typed[8]);
        Assert.Equal(
            "2007-12-03 10:15:30.123+00",
            w.Scalar<string>("SELECT CAST(_utc AS VARCHAR) FROM \"conn\".\"specified\""));
    }

    [Fact]
    public async Task WriteAsync_EveryType_CreatesDuckDbTypesAndCommentsWithTributaryTypes()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(Specified, SpecifiedRow);

        var columns = w.Rows(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = 'conn' AND table_name = 'specified' ORDER BY column_index")
            .Select(r => $"{r[0]} {r[1]} {r[2]}").ToArray();

        Assert.Equal(
            [
                "_bool BOOLEAN BOOLEAN", "_short SMALLINT SHORT", "_int INTEGER INT", "_long BIGINT LONG",
                "_dec DECIMAL(15,2) DECIMAL(15,2)", "_wide_dec DECIMAL(38,10) DECIMAL(38,10)", "_float FLOAT FLOAT",
                "_double DOUBLE DOUBLE", "_naive_date DATE NAIVE_DATE", "_naive_time TIMESTAMP NAIVE_DATETIME",
                "_utc TIMESTAMP WITH TIME ZONE UTC_DATETIME", "_binary BLOB BINARY", "_xml VARCHAR XML", "_str VARCHAR STRING",
                "_json VARCHAR JSON", "_null VARCHAR STRING",
                "_tributary_synced TIMESTAMP WITH TIME ZONE UTC_DATETIME", "_tributary_deleted BOOLEAN BOOLEAN",
            ],
            columns);
    }

    [Fact]
    public async Task WriteAsync_UtcDateTimeWithOffset_StoresTheSameInstant()
    {
        await using var w = new Warehouse();
        var table = Table("events", ["id"], ("id", ColumnType.Int), ("at", ColumnType.UtcDateTime));

        await w.CreateAsync(table, [1, new DateTimeOffset(2024, 9, 24, 16, 30, 45, TimeSpan.FromHours(2))]);
        await w.UpsertAsync(table, T2, [2, new DateTimeOffset(2024, 9, 24, 10, 30, 45, TimeSpan.Zero)]);

        Assert.Equal(
            ["1 2024-09-24 14:30:45+00", "2 2024-09-24 10:30:45+00"],
            w.Rows("SELECT id, CAST(\"at\" AS VARCHAR) FROM \"conn\".\"events\" ORDER BY id").Select(r => $"{r[0]} {r[1]}"));
    }

    [Fact]
    public async Task WriteAsync_DecimalWithMoreDigitsThanScale_RoundsHalfAwayFromZero()
    {
        await using var w = new Warehouse();
        var table = Table("prices", ["id"], ("id", ColumnType.Int), ("price", ColumnType.Decimal(15, 2)));

        await w.CreateAsync(table, [1, 1.005m], [2, -2.675m], [3, 9999999999999.99m]);

        Assert.Equal(["1.01", "-2.68", "9999999999999.99"], w.Rows("SELECT CAST(price AS VARCHAR) FROM \"conn\".\"prices\" ORDER BY id").Select(r => r[0]));
    }

    [Fact]
    public async Task WriteAsync_DecimalBeyondPrecision_ThrowsNamingColumnAndWritesNothing()
    {
        await using var w = new Warehouse();
        var table = Table("prices", ["id"], ("id", ColumnType.Int), ("price", ColumnType.Decimal(5, 2)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.CreateAsync(table, [1, 1.5m], [2, 1000m]));

        Assert.Contains("'price'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'prices'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, w.Scalar<long>("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'conn'"));
    }

    [Fact]
    public async Task WriteAsync_VectorOfAnotherType_ThrowsNamingColumnAndTable()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        var vectors = new[] { ColumnType.Long, ColumnType.String, ColumnType.String, ColumnType.String }.Select(ColumnVector.Create).ToArray();
        foreach (var (vector, value) in vectors.Zip(new object?[] { 1L, "one", "not a double", null }))
        {
            vector.Append(value);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteAsync(
            new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), vectors, 1, [], T2)));

        Assert.Equal("Column 'amount' of table 'items' is DOUBLE, but the batch holds STRING values for it.", error.Message);
        Assert.Equal(1.0, w.Scalar<double>($"SELECT amount FROM {Items}"));
    }

    // ---- create table ----------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_CreateTable_KeyColumnsNotNullWithPrimaryKeyConstraint()
    {
        await using var w = new Warehouse();
        var table = Table("pairs", ["a", "b"], ("a", ColumnType.String), ("b", ColumnType.Int), ("v", ColumnType.String));

        await w.CreateAsync(table);

        Assert.Equal(
            ["a False", "b False", "v True", "_tributary_synced True", "_tributary_deleted True"],
            w.Rows("SELECT column_name, is_nullable FROM duckdb_columns() WHERE table_name = 'pairs' ORDER BY column_index").Select(r => $"{r[0]} {r[1]}"));
        Assert.Equal(
            "PRIMARY KEY(a, b)",
            w.Scalar<string>("SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'pairs' AND constraint_type = 'PRIMARY KEY'"));
    }

    [Fact]
    public async Task WriteAsync_CreateTableWithoutRows_CreatesSchemaAndEmptyTable()
    {
        await using var w = new Warehouse();

        Assert.Equal(0, await w.CreateAsync(ItemsTable));

        Assert.Equal(0, w.Scalar<long>($"SELECT count(*) FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_CompositeKey_MergesOnEveryKeyColumn()
    {
        await using var w = new Warehouse();
        var table = Table("pairs", ["a", "b"], ("a", ColumnType.String), ("b", ColumnType.Int), ("v", ColumnType.String));
        await w.CreateAsync(table, ["x", 1, "one"], ["x", 2, "two"]);

        await w.UpsertAsync(table, T2, ["x", 2, "TWO"], ["y", 1, "new"]);
        var deleted = await w.ChangeAsync(OperationKind.Delete, table, ["a", "b"], T3, ["x", 1], ["y", 2]);

        Assert.Equal(1, deleted);
        Assert.Equal(
            ["x 1 one True", "x 2 TWO False", "y 1 new False"],
            w.Rows("SELECT a, b, v, _tributary_deleted FROM \"conn\".\"pairs\" ORDER BY a, b").Select(r => $"{r[0]} {r[1]} {r[2]} {r[3]}"));
    }

    [Fact]
    public async Task WriteAsync_KeylessTable_MergesOnSurrogateId()
    {
        await using var w = new Warehouse();
        var table = Table("hello", [Sys.Id], ("message", ColumnType.String), (Sys.Id, ColumnType.String));
        await w.CreateAsync(table, ["hello, world!", "h1"]);

        await w.UpsertAsync(table, T2, ["hello, world!", "h1"]);

        Assert.Equal(1, w.Scalar<long>("SELECT count(*) FROM \"conn\".\"hello\""));
        Assert.Equal("PRIMARY KEY(_tributary_id)", w.Scalar<string>("SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'hello' AND constraint_type = 'PRIMARY KEY'"));
    }

    // ---- upsert ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_UpsertExistingKey_ReplacesWholeRowAndNullsMissingValues()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "keep?"), Item(2, "two", 2.5, "two's note"));

        var count = await w.UpsertAsync(ItemsTable, T2, Item(1, "uno", null, null), Item(3, "three", 3.5, null));

        Assert.Equal(2, count);
        Assert.Equal(
            ["1 uno   2024-09-25 08:00:00+00 False", "2 two 2.5 two's note 2024-09-24 14:30:45+00 False", "3 three 3.5  2024-09-25 08:00:00+00 False"],
            w.Rows($"SELECT id, name, amount, note, CAST(_tributary_synced AS VARCHAR), _tributary_deleted FROM {Items} ORDER BY id")
                .Select(r => string.Join(' ', r)));
    }

    [Fact]
    public async Task WriteAsync_UpsertWithoutSomeTableColumns_SetsThemNull()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "note"));

        await w.WriteAsync(new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, ["id", "name"], [[1L, "uno"]], [], T2));

        Assert.Equal("1 uno  ", string.Join(' ', w.Rows($"SELECT id, name, amount, note FROM {Items}").Single()));
    }

    [Fact]
    public async Task WriteAsync_UpsertDeletedKey_RevivesRow()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [1L]);
        Assert.True(w.Scalar<bool>($"SELECT _tributary_deleted FROM {Items}"));

        await w.UpsertAsync(ItemsTable, T3, Item(1, "again", 2, null));

        Assert.Equal("again False 2024-09-26 08:00:00+00",
            string.Join(' ', w.Rows($"SELECT name, _tributary_deleted, CAST(_tributary_synced AS VARCHAR) FROM {Items}").Single()));
    }

    [Fact]
    public async Task WriteAsync_UpsertBatchesIntoExistingTable_MergesInsertsAndReplacements()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, [.. Enumerable.Range(0, 5000).Select(i => Item(i, "first", i, null))]);

        var count = await w.UpsertAsync(ItemsTable, T2, [.. Enumerable.Range(2500, 5000).Select(i => Item(i, "second", -i, "n"))]);

        Assert.Equal(5000, count);
        Assert.Equal(
            "7500 2500 5000 2500",
            string.Join(' ', w.Rows($"SELECT count(*), count(*) FILTER (name = 'first'), count(*) FILTER (name = 'second' AND amount = -id AND note = 'n'), count(DISTINCT _tributary_synced) * 1250 FROM {Items}").Single()));
    }

    // ---- update ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_Update_ChangesOnlyGivenColumnsAndSynced()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "note"), Item(2, "two", 2.5, "other"));

        var matched = await w.ChangeAsync(OperationKind.Update, ItemsTable, ["id", "name"], T2, [1L, "uno"]);

        Assert.Equal(1, matched);
        Assert.Equal(
            ["1 uno 1.5 note 2024-09-25 08:00:00+00 False", "2 two 2.5 other 2024-09-24 14:30:45+00 False"],
            w.Rows($"SELECT id, name, amount, note, CAST(_tributary_synced AS VARCHAR), _tributary_deleted FROM {Items} ORDER BY id")
                .Select(r => string.Join(' ', r)));
    }

    [Fact]
    public async Task WriteAsync_UpdateToNull_SetsOnlyThatColumnNull()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1.5, "note"));

        await w.ChangeAsync(OperationKind.Update, ItemsTable, ["id", "note"], T2, [1L, null]);

        Assert.Equal("one 1.5 ", string.Join(' ', w.Rows($"SELECT name, amount, note FROM {Items}").Single()));
    }

    [Fact]
    public async Task WriteAsync_UpdateUnknownKeys_ChangesNothingAndCountsOnlyMatches()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));

        var matched = await w.ChangeAsync(OperationKind.Update, ItemsTable, ["id", "name"], T2, [1L, "uno"], [7L, "ghost"], [8L, "ghost"]);

        Assert.Equal(1, matched);
        Assert.Equal(["1 uno"], w.Rows($"SELECT id, name FROM {Items}").Select(r => $"{r[0]} {r[1]}"));
    }

    // ---- delete and truncate ---------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_Delete_SoftDeletesMatchesAndCountsThem()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null), Item(2, "two", 2, null), Item(3, "three", 3, null));

        var matched = await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [2L], [3L], [99L]);

        Assert.Equal(2, matched);
        Assert.Equal(
            ["1 one False 2024-09-24 14:30:45+00", "2 two True 2024-09-25 08:00:00+00", "3 three True 2024-09-25 08:00:00+00"],
            w.Rows($"SELECT id, name, _tributary_deleted, CAST(_tributary_synced AS VARCHAR) FROM {Items} ORDER BY id").Select(r => string.Join(' ', r)));
    }

    [Fact]
    public async Task WriteAsync_TruncateThenUpsert_SoftDeletesEarlierRowsAndKeepsLaterOnesLive()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null), Item(2, "two", 2, null), Item(3, "three", 3, null));
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [3L]);

        var truncated = await w.TruncateAsync(ItemsTable, T3);
        await w.UpsertAsync(ItemsTable, T3, Item(2, "two again", 2, null), Item(4, "four", 4, null));

        Assert.Equal(2, truncated);
        Assert.Equal(
            ["1 True 2024-09-26 08:00:00+00", "2 False 2024-09-26 08:00:00+00", "3 True 2024-09-25 08:00:00+00", "4 False 2024-09-26 08:00:00+00"],
            w.Rows($"SELECT id, _tributary_deleted, CAST(_tributary_synced AS VARCHAR) FROM {Items} ORDER BY id").Select(r => string.Join(' ', r)));
    }

    // ---- schema changes --------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_AddColumn_AddsNullableCommentedColumnAndWritesIt()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        var wider = With(ItemsTable, "payload", ColumnType.Json);

        await w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[2L, "two", 2.0, null, "[1,2]"]],
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("payload", ColumnType.Json))], T2));

        Assert.Equal(["1 ", "2 [1,2]"], w.Rows($"SELECT id, payload FROM {Items} ORDER BY id").Select(r => $"{r[0]} {r[1]}"));
        Assert.Equal("True VARCHAR JSON", string.Join(' ', w.Rows("SELECT is_nullable, data_type, comment FROM duckdb_columns() WHERE column_name = 'payload'").Single()));
    }

    [Fact]
    public async Task WriteAsync_WidenIntToLongToDoubleToString_KeepsValuesInPlace()
    {
        await using var w = new Warehouse();
        var table = Table("schema_change", ["id"], ("id", ColumnType.Int), ("int_to_string", ColumnType.Int));
        await w.CreateAsync(table, [1, 42]);

        var asLong = With(table, "int_to_string", ColumnType.Long);
        await w.WriteAsync(Widen(asLong, "int_to_string", ColumnType.Long, [2, 5_000_000_000L], [1, 43L]));   // key 1 exists: merged after the ALTER
        Assert.Equal("BIGINT", ColumnTypeOf(w, "int_to_string"));

        var asDouble = With(table, "int_to_string", ColumnType.Double);
        await w.WriteAsync(Widen(asDouble, "int_to_string", ColumnType.Double, [3, 42.42]));
        Assert.Equal("DOUBLE", ColumnTypeOf(w, "int_to_string"));

        var asString = With(table, "int_to_string", ColumnType.String);
        await w.WriteAsync(Widen(asString, "int_to_string", ColumnType.String, [4, "a string"]));

        Assert.Equal("VARCHAR", ColumnTypeOf(w, "int_to_string"));
        Assert.Equal(
            ["1 43", "2 5000000000", "3 42.42", "4 a string"],
            w.Rows("SELECT id, int_to_string FROM \"conn\".\"schema_change\" ORDER BY id").Select(r => $"{r[0]} {r[1]}"));
        Assert.Equal("STRING", w.Scalar<string>("SELECT comment FROM duckdb_columns() WHERE column_name = 'int_to_string'"));
    }

    [Fact]
    public async Task WriteAsync_WidenToString_WritesValuesAsTheRuntimeWritesText()
    {
        await using var w = new Warehouse();
        var table = Table("texts", ["id"], ("id", ColumnType.Int), ("b", ColumnType.Boolean), ("d", ColumnType.NaiveDate),
            ("ts", ColumnType.NaiveDateTime), ("utc", ColumnType.UtcDateTime), ("bin", ColumnType.Binary), ("dbl", ColumnType.Double));
        await w.CreateAsync(table,
            [1, true, new DateOnly(2007, 12, 3), new DateTime(2007, 12, 3, 10, 15, 30), new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), new byte[] { 0, 1, 2, 3 }, 42.0],
            [2, false, new DateOnly(2024, 1, 31), new DateTime(2024, 1, 31, 0, 0, 0).AddTicks(1234560), new DateTimeOffset(2024, 1, 31, 23, 59, 0, TimeSpan.Zero), Array.Empty<byte>(), 0.0001]);

        var widened = table;
        var changes = new List<SchemaChange>();
        foreach (var column in new[] { "b", "d", "ts", "utc", "bin", "dbl" })
        {
            widened = With(widened, column, ColumnType.String);
            changes.Add(new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema(column, ColumnType.String)));
        }

        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened), [], changes, T2));

        Assert.Equal(
            [
                "1|true|2007-12-03|2007-12-03T10:15:30|2007-12-03T10:15:30.123Z|AAECAw==|42",
                "2|false|2024-01-31|2024-01-31T00:00:00.123456|2024-01-31T23:59:00Z||0.0001",
            ],
            w.Rows("SELECT id, b, d, ts, utc, bin, dbl FROM \"conn\".\"texts\" ORDER BY id").Select(r => string.Join('|', r)));
    }

    [Fact]
    public async Task WriteAsync_WidenShortToDecimalAndDateToUtc_ConvertsInPlace()
    {
        await using var w = new Warehouse();
        var table = Table("mixed", ["id"], ("id", ColumnType.Int), ("n", ColumnType.Short), ("day", ColumnType.NaiveDate));
        await w.CreateAsync(table, [1, (short)12, new DateOnly(2024, 5, 6)]);
        var widened = With(With(table, "n", ColumnType.Decimal(10, 2)), "day", ColumnType.UtcDateTime);

        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened),
            [[2, 3.25m, new DateTimeOffset(2024, 5, 7, 1, 2, 3, TimeSpan.Zero)]],
            [
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("n", ColumnType.Decimal(10, 2))),
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("day", ColumnType.UtcDateTime)),
            ], T2));

        Assert.Equal(
            ["1 12.00 2024-05-06 00:00:00+00", "2 3.25 2024-05-07 01:02:03+00"],
            w.Rows("SELECT id, CAST(n AS VARCHAR), CAST(day AS VARCHAR) FROM \"conn\".\"mixed\" ORDER BY id").Select(r => string.Join(' ', r)));
    }

    [Fact]
    public async Task WriteAsync_WidenStringToJson_ChangesOnlyTheComment()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, "{\"a\":1}"));
        var widened = With(ItemsTable, "note", ColumnType.Json);

        await w.WriteAsync(Widen(widened, "note", ColumnType.Json));

        Assert.Equal("VARCHAR JSON", string.Join(' ', w.Rows("SELECT data_type, comment FROM duckdb_columns() WHERE column_name = 'note'").Single()));
        Assert.Equal("{\"a\":1}", w.Scalar<string>($"SELECT note FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_WidenKeyColumn_ThrowsNamingTableAndColumnAndChangesNothing()
    {
        await using var w = new Warehouse();
        var table = Table("keyed", ["id"], ("id", ColumnType.Int), ("v", ColumnType.Int));
        await w.CreateAsync(table, [1, 1]);
        var widened = With(With(table, "v", ColumnType.Long), "id", ColumnType.Long);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert,
            Writable(widened), [[2L, 2L]],
            [
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("v", ColumnType.Long)),
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("id", ColumnType.Long)),
            ], T2)));

        Assert.Contains("primary-key column 'id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"conn\".\"keyed\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(["id INTEGER", "v INTEGER"], w.Rows("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'keyed' AND column_name IN ('id', 'v') ORDER BY column_index").Select(r => $"{r[0]} {r[1]}"));
        Assert.Equal(1, w.Scalar<long>("SELECT count(*) FROM \"conn\".\"keyed\""));
    }

    // ---- reading the schema back -----------------------------------------------------------------------------

    [Fact]
    public async Task GetTablesAsync_AfterCreateAddAndWiden_ReturnsColumnsTypesAndKeysInOrder()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(Specified, SpecifiedRow);
        var pairs = Table("pairs", ["b", "a"], ("a", ColumnType.String), ("b", ColumnType.Int), ("v", ColumnType.Xml));
        await w.CreateAsync(pairs);
        var widened = With(With(pairs, "v", ColumnType.String), "extra", ColumnType.Json);
        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened), [],
            [
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("v", ColumnType.String)),
                new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Json)),
            ], T2));

        var tables = await w.Destination.GetTablesAsync(Schema, CancellationToken.None);

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
        await using var w = new Warehouse();

        Assert.Empty(await w.Destination.GetTablesAsync("nothing_here", CancellationToken.None));
    }

    [Fact]
    public async Task GetTablesAsync_ColumnsWithoutComments_TypesFromPhysicalTypes()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable);
        w.Execute(
            """
            CREATE TABLE conn.manual (k BIGINT PRIMARY KEY, d DECIMAL(9,3), f FLOAT, t TIMESTAMP, tz TIMESTAMPTZ, b BLOB, s VARCHAR, day DATE, small SMALLINT, flag BOOLEAN);
            COMMENT ON COLUMN conn.manual.s IS 'not a type';
            COMMENT ON COLUMN conn.manual.f IS 'JSON';
            CREATE VIEW conn.a_view AS SELECT 1 AS x;
            """);

        var manual = (await w.Destination.GetTablesAsync(Schema, CancellationToken.None)).Single(t => t.Name == "manual");

        Assert.Equal(["k"], manual.PrimaryKey);
        Assert.Equal(
            ["k LONG", "d DECIMAL(9,3)", "f FLOAT", "t NAIVE_DATETIME", "tz UTC_DATETIME", "b BINARY", "s STRING", "day NAIVE_DATE", "small SHORT", "flag BOOLEAN"],
            manual.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.DoesNotContain(await w.Destination.GetTablesAsync(Schema, CancellationToken.None), t => t.Name == "a_view");
    }

    // ---- transactions ----------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_BatchFailingMidway_LeavesTableAsItWas()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null), Item(2, "two", 2, null));
        var wider = With(ItemsTable, "extra", ColumnType.Decimal(5, 2));
        var rows = Enumerable.Range(1, 10_000).Select(i => (object?[])[(long)i, "changed", (double)i, null, 1.25m]).ToList();
        rows[7_000][4] = 1000m;   // too large for DECIMAL(5,2): the append fails after 7,000 rows

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert,
            Writable(wider), rows, [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Decimal(5, 2)))], T2)));

        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1 one", "2 two"], w.Rows($"SELECT id, name FROM {Items} ORDER BY id").Select(r => $"{r[0]} {r[1]}"));
        Assert.Equal(0, w.Scalar<long>("SELECT count(*) FROM duckdb_columns() WHERE column_name = 'extra'"));
        Assert.Equal(2, await w.UpsertAsync(ItemsTable, T3, Item(2, "two again", 2, null), Item(3, "three", 3, null)));
        Assert.Equal(3, w.Scalar<long>($"SELECT count(*) FROM {Items}"));
    }

    [Fact]
    public async Task WriteAsync_DuckDbRejectsARow_RollsBackSchemaChangesAndRows()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        var wider = With(ItemsTable, "extra", ColumnType.Int);

        // The staging table takes a NULL key; inserting it breaks the key's NOT NULL, after the column
        // was added and the first row merged.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert,
            Writable(wider), [[1L, "changed", 1.0, null, 1], [null, "b", 1.0, null, 2]],
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Int))], T2)));

        Assert.Contains("\"conn\".\"items\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("NOT NULL", error.Message, StringComparison.Ordinal);
        Assert.Equal("1 one", string.Join(' ', w.Rows($"SELECT * FROM {Items}").Single().Take(2)));
        Assert.Equal(0, w.Scalar<long>("SELECT count(*) FROM duckdb_columns() WHERE column_name = 'extra'"));
    }

    [Fact]
    public async Task WriteAsync_FirstBatchAppendedDirectlyFails_LeavesNoTable()
    {
        await using var w = new Warehouse();

        // The first batch of a new table goes straight into it; a duplicate key there fails the whole transaction.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => w.CreateAsync(ItemsTable, Item(1, "a", 1, null), Item(1, "b", 1, null)));

        Assert.Contains("\"conn\".\"items\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, w.Scalar<long>("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'items'"));
        Assert.Equal(1, await w.CreateAsync(ItemsTable, Item(1, "a", 1, null)));
    }

    [Fact]
    public async Task WriteAsync_FirstBatchOfNewTable_AppendsEveryRowWithSystemValues()
    {
        await using var w = new Warehouse();

        await w.CreateAsync(ItemsTable, [.. Enumerable.Range(0, 20_000).Select(i => Item(i, i % 2 == 0 ? null : "odd", i * 0.5, null))]);
        await w.UpsertAsync(ItemsTable, T2, Item(5, "five", 5, null));

        Assert.Equal(
            "20000 10000 0 1",
            string.Join(' ', w.Rows($"SELECT count(*), count(name), count(*) FILTER (id <> 5 AND amount <> id * 0.5 OR _tributary_deleted OR _tributary_deleted IS NULL), count(*) FILTER (_tributary_synced = TIMESTAMPTZ '2024-09-25 08:00:00+00') FROM {Items}").Single()));
    }

    [Fact]
    public async Task WriteAsync_UpsertOfOnlyNewKeys_AppendsIntoPhysicalColumnOrder()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        var wider = With(ItemsTable, "extra", ColumnType.Int);   // added last, after the system columns
        await w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[2L, "two", 2.0, "n2", 20]],
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Int))], T2));

        var count = await w.UpsertAsync(wider, T3, [.. Enumerable.Range(3, 3000).Select(i => (object?[])[(long)i, "new", (double)i, null, i * 10])]);

        Assert.Equal(3000, count);
        Assert.Equal(0, w.DirectAppendConflicts);
        Assert.Equal(
            ["1 one 1   False 2024-09-24 14:30:45+00", "2 two 2 n2 20 False 2024-09-25 08:00:00+00", "3 new 3  30 False 2024-09-26 08:00:00+00"],
            w.Rows($"SELECT id, name, amount, note, extra, _tributary_deleted, CAST(_tributary_synced AS VARCHAR) FROM {Items} WHERE id <= 3 ORDER BY id").Select(r => string.Join(' ', r)));
        Assert.Equal(3000, w.Scalar<long>($"SELECT count(*) FROM {Items} WHERE id >= 3 AND extra = id * 10 AND name = 'new' AND amount = id AND _tributary_synced = TIMESTAMPTZ '2024-09-26 08:00:00+00' AND NOT _tributary_deleted"));
    }

    [Fact]
    public async Task WriteAsync_UpsertMeetingExistingKeys_RetriesWholeBatchAsMergeOnce()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, [.. Enumerable.Range(0, 1000).Select(i => Item(i, "first", i, null))]);
        await w.ChangeAsync(OperationKind.Delete, ItemsTable, ["id"], T2, [999L]);
        var wider = With(ItemsTable, "extra", ColumnType.String);

        // New keys first, the existing (and deleted) key 999 last: the direct append fails only at the end, the
        // transaction with the added column is rolled back, and the batch is written again, merged.
        var rows = Enumerable.Range(1000, 5000).Select(i => (object?[])[(long)i, "second", (double)i, null, "x"]).Append([999L, "revived", 9.0, "n", "y"]).ToList();
        var count = await w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), rows,
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.String))], T3));

        Assert.Equal(5001, count);
        Assert.Equal(1, w.DirectAppendConflicts);
        Assert.Equal(1, w.Scalar<long>("SELECT count(*) FROM duckdb_columns() WHERE column_name = 'extra'"));
        Assert.Equal(
            "6000 999 5000 1 0",
            string.Join(' ', w.Rows(
                $"""
                SELECT count(*), count(*) FILTER (name = 'first' AND extra IS NULL AND _tributary_synced = TIMESTAMPTZ '2024-09-24 14:30:45+00'),
                       count(*) FILTER (name = 'second' AND extra = 'x' AND _tributary_synced = TIMESTAMPTZ '2024-09-26 08:00:00+00'),
                       count(*) FILTER (id = 999 AND name = 'revived' AND note = 'n' AND extra = 'y' AND NOT _tributary_deleted),
                       count(*) FILTER (_tributary_deleted)
                FROM {Items}
                """).Single()));

        // The table is merged from now on: a later batch of new keys does not try (and fail) the direct append again.
        await w.UpsertAsync(wider, T3, [7000L, "later", 1.0, null, null], [0L, "replaced", 0.0, null, null]);
        await w.UpsertAsync(wider, T3, [7001L, "later", 1.0, null, null]);
        Assert.Equal(1, w.DirectAppendConflicts);
        Assert.Equal(6002, w.Scalar<long>($"SELECT count(*) FROM {Items}"));
        Assert.Equal("replaced", w.Scalar<string>($"SELECT name FROM {Items} WHERE id = 0"));
    }

    [Fact]
    public async Task WriteAsync_CancelledBeforeStart_WritesNothing()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => w.Destination.WriteAsync(
            new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [Item(1, "changed", 1, null)], [], T2), cancelled.Token));

        Assert.Equal("one", w.Scalar<string>($"SELECT name FROM {Items}"));
    }

    // ---- identifiers, schemas, lifetime ----------------------------------------------------------------------

    [Fact]
    public async Task WriteAsync_ReservedWordsAndQuotesInNames_AreQuotedEverywhere()
    {
        await using var w = new Warehouse();
        var table = Table("order", ["select"], ("select", ColumnType.Int), ("from", ColumnType.String), ("we\"ird name", ColumnType.Json));
        var batch = (OperationKind kind, string[] columns, object?[][] rows, SchemaChange[] changes) =>
            new WriteBatch("group", table, Sys, kind, columns, rows, changes, T1);

        await w.WriteAsync(batch(OperationKind.Upsert, Writable(table), [[1, "a", "{}"], [2, "b", "[]"]], [new SchemaChange(SchemaChangeKind.CreateTable, null)]));
        await w.WriteAsync(batch(OperationKind.Upsert, Writable(table), [[1, "a2", "{\"x\":1}"]], []));
        await w.WriteAsync(batch(OperationKind.Update, ["select", "we\"ird name"], [[2, "[1]"]], []));
        await w.WriteAsync(batch(OperationKind.Delete, ["select"], [[2]], []));
        await w.WriteAsync(batch(OperationKind.Truncate, [], [], []));
        var read = (await w.Destination.GetTablesAsync("group", CancellationToken.None)).Single();

        Assert.Equal(
            ["1 a2 {\"x\":1} True", "2 b [1] True"],
            w.Rows("SELECT \"select\", \"from\", \"we\"\"ird name\", _tributary_deleted FROM \"group\".\"order\" ORDER BY 1").Select(r => string.Join(' ', r)));
        Assert.Equal(table.Columns, read.Columns);
        Assert.Equal(["select"], read.PrimaryKey);
    }

    [Fact]
    public async Task DropSchemaAsync_ExistingSchema_DropsEveryTable()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.CreateAsync(Specified, SpecifiedRow);

        await w.Destination.DropSchemaAsync(Schema, CancellationToken.None);

        Assert.Equal(0, w.Scalar<long>("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'conn'"));
        Assert.Empty(await w.Destination.GetTablesAsync(Schema, CancellationToken.None));
        Assert.Equal(1, await w.CreateAsync(ItemsTable, Item(1, "one", 1, null)));
    }

    [Fact]
    public async Task DropSchemaAsync_MissingSchema_DoesNothing()
    {
        await using var w = new Warehouse();

        await w.Destination.DropSchemaAsync("never_created", CancellationToken.None);

        Assert.Equal(0, w.Scalar<long>("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'never_created'"));
    }

    [Fact]
    public async Task Constructor_NothingCalled_CreatesNoFile()
    {
        await using var w = new Warehouse();

        Assert.False(File.Exists(w.DatabasePath));
        Assert.False(Directory.Exists(Path.GetDirectoryName(w.DatabasePath)));
    }

    [Fact]
    public async Task DisposeAsync_AfterWrites_ClosesConnectionAndDataPersists()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));

        await w.Destination.DisposeAsync();
        await w.Destination.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => w.Destination.GetTablesAsync(Schema, CancellationToken.None));
        await using var reopened = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = w.DatabasePath });
        Assert.Equal("items", (await reopened.GetTablesAsync(Schema, CancellationToken.None)).Single().Name);
        Assert.Equal("one", w.Scalar<string>($"SELECT name FROM {Items}"));
    }

    [Fact]
    public void Constructor_EmptyPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = " " }));
    }

    private static WriteBatch Widen(TableSchema widened, string column, ColumnType type, params object?[][] rows) =>
        new(Schema, widened, Sys, OperationKind.Upsert, Writable(widened), rows,
            [new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema(column, type))], T2);

    private static string? ColumnTypeOf(Warehouse w, string column) =>
        w.Scalar<string>($"SELECT data_type FROM duckdb_columns() WHERE column_name = '{column}'");

    private static byte[] ReadBytes(object? value) => value switch
    {
        byte[] bytes => bytes,
        Stream stream => ReadAll(stream),
        _ => throw new InvalidOperationException($"Unexpected BLOB value {value?.GetType()}"),
    };

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

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

        // The table's key, deferred by its initial load, was built only in the rolled-back transaction; the next batch is
        // merged (the failed batch met an existing key), so it builds the key first.
        Assert.Equal(1, await w.UpsertAsync(ItemsTable, T3, Item(2, "two", 2, null)));
        Assert.Equal(["1 one", "2 two"], w.Rows($"SELECT id, name FROM {Items} ORDER BY id").Select(r => string.Join(' ', r)));
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
    public async Task WriteAsync_NewKeysBeforeAndAfterAnAddedColumn_AppendIntoTheLayoutOfTheirTime()
    {
        await using var w = new Warehouse();
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        await w.UpsertAsync(ItemsTable, T2, Item(2, "two", 2, null));   // appended with the table's four columns
        var wider = With(ItemsTable, "extra", ColumnType.Int);

        await w.WriteAsync(new WriteBatch(Schema, wider, Sys, OperationKind.Upsert, Writable(wider), [[3L, "three", 3.0, null, 30]],
            [new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("extra", ColumnType.Int))], T3));
        await w.UpsertAsync(wider, T3, [4L, "four", 4.0, null, 40]);

        Assert.Equal(0, w.DirectAppendConflicts);
        Assert.Equal(
            ["1 one ", "2 two ", "3 three 30", "4 four 40"],
            w.Rows($"SELECT id, name, extra FROM {Items} ORDER BY id").Select(r => string.Join(' ', r)));
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
    public async Task WriteAsync_LogPastItsLimit_CheckpointsIt()
    {
        await using var w = new Warehouse();
        var log = w.DatabasePath + ".wal";
        await w.CreateAsync(ItemsTable, Item(1, "one", 1, null));
        Assert.True(new FileInfo(log).Length > 0, "a small batch stays in the log");
        await w.Destination.DisposeAsync();

        await using var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = w.DatabasePath }) { CheckpointLogBytes = 1 };
        await destination.WriteAsync(new WriteBatch(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [Item(2, "two", 2, null)], [], T2), CancellationToken.None);

        Assert.True(!File.Exists(log) || new FileInfo(log).Length == 0, "the log was checkpointed into the database file");
        Assert.Equal(2L, w.Scalar<long>($"SELECT count(*) FROM {Items}"));
    }

    [Fact]
    public void Constructor_EmptyPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = " " }));
    }

    [Fact]
    public void Constructor_NoThreads_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = "w.db", Threads = 0 }));
    }

    [Fact]
    public async Task GetTablesAsync_ThreadsOption_SetOnTheDatabase()
    {
        await using var w = new Warehouse();
        await w.Destination.DisposeAsync();
        await using var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = w.DatabasePath, Threads = 3 });
        await destination.GetTablesAsync(Schema, CancellationToken.None);

        Assert.Equal(3L, w.Scalar<long>("SELECT current_setting('threads')"));
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), new DuckDbDestinationOptions { DatabasePath = "w.db" }.Threads);
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

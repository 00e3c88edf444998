using Tributary.Testing;
using static Tributary.Destinations.Delta.Tests.Reading.HandMadeTable;

namespace Tributary.Destinations.Delta.Tests.Reading;

public sealed class DeltaWarehouseReaderTests : IDisposable
{
    private static readonly HandColumn[] IdName = [new("id", "long", false), new("name", "string")];

    private readonly string _lake = Directory.CreateTempSubdirectory("tributary-delta-reading-").FullName;

    public void Dispose() => Directory.Delete(_lake, recursive: true);

    [Fact]
    public async Task RowsAsync_EveryAgreedDeltaType_ReturnsTheContractsClrValues()
    {
        var table = new HandMadeTable(_lake, "conn", "specified");
        var add = await table.AddFileAsync(
            """
            SELECT true AS _bool, 15::SMALLINT AS _short, 2000000000::INTEGER AS _int, 132353453453635::BIGINT AS _long,
                105.34::DECIMAL(15,2) AS _dec, 123456789012345678.0123456789::DECIMAL(38,10) AS _wide_dec, 10.4::FLOAT AS _float,
                0.0001::DOUBLE AS _double, DATE '2007-12-03' AS _naive_date, TIMESTAMP '2007-12-03 10:15:30' AS _naive_time,
                TIMESTAMPTZ '2007-12-03 10:15:30.123+00' AS _utc, '\x00\x01\x02\x03'::BLOB AS _binary, '<tag>This is XML</tag>' AS _xml,
                'This is a string' AS _str, '{"a":10}' AS _json, NULL::VARCHAR AS _null
            """,
            "every-type.parquet");
        table.Commit(0, Protocol(3, 7, ["timestampNtz"], ["timestampNtz"]), Metadata(["_bool"],
            new("_bool", "boolean", false), new("_short", "short"), new("_int", "integer"), new("_long", "long"), new("_dec", "decimal(15,2)"),
            new("_wide_dec", "decimal(38,10)"), new("_float", "float"), new("_double", "double"), new("_naive_date", "date"),
            new("_naive_time", "timestamp_ntz"), new("_utc", "timestamp"), new("_binary", "binary"), new("_xml", "string"),
            new("_str", "string"), new("_json", "string"), new("_null", "string")), add);
        using var reader = new DeltaWarehouseReader(_lake);

        var row = (await reader.RowsAsync("SELECT * FROM \"conn\".\"specified\"", default)).Single();

        object?[] expected =
        [
            true, (short)15, 2_000_000_000, 132353453453635L, 105.34m, 123456789012345678.0123456789m, 10.4f, 0.0001,
            new DateOnly(2007, 12, 3), new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Unspecified),
            new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), new byte[] { 0, 1, 2, 3 },
            "<tag>This is XML</tag>", "This is a string", "{\"a\":10}", null,
        ];
        Assert.Equal(expected.Length, row.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i]?.GetType(), row[i]?.GetType());
            Assert.Equal(expected[i], row[i]);
        }

        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)row[9]!).Kind);
    }

    [Fact]
    public async Task RowsAsync_ColumnAddedAfterOlderFiles_ReadsNullThereAndCastsToTheDeltaType()
    {
        var table = new HandMadeTable(_lake);
        var old = await table.AddFileAsync("SELECT 1::INTEGER AS id, 'one' AS name", "old.parquet");
        var recent = await table.AddFileAsync("SELECT 2::BIGINT AS id, 'two' AS name, 2.5::DOUBLE AS amount", "recent.parquet");
        table.Commit(0, Protocol(), Metadata(["id"], IdName), old);
        table.Commit(1, Metadata(["id"], [.. IdName, new("amount", "double"), new("later", "date")]), recent);
        using var reader = new DeltaWarehouseReader(_lake);

        var rows = await reader.RowsAsync("SELECT id, name, amount, later FROM \"s\".\"t\" ORDER BY id", default);

        Assert.Equal([[1L, "one", null, null], [2L, "two", 2.5, null]], rows);
    }

    [Fact]
    public async Task RowsAsync_TableWithoutFiles_IsEmptyWithItsColumns()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], IdName));
        using var reader = new DeltaWarehouseReader(_lake);

        Assert.Empty(await reader.RowsAsync("SELECT id, name FROM \"s\".\"t\"", default));
        Assert.Equal(0L, await reader.ScalarAsync("SELECT count(*) FROM \"s\".\"t\"", default));
    }

    [Fact]
    public async Task RowsAsync_RemovedFiles_AreNotRead()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "a.parquet");
        var b = await table.AddFileAsync("SELECT 2::BIGINT AS id, 'two' AS name", "b.parquet");
        var rewritten = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'uno' AS name", "a2.parquet");
        table.Commit(0, Protocol(), Metadata(["id"], IdName), a, b);
        table.Commit(1, Remove("a.parquet"), rewritten);
        using var reader = new DeltaWarehouseReader(_lake);

        var rows = await reader.RowsAsync("SELECT id, name FROM \"s\".\"t\" ORDER BY id", default);

        Assert.Equal([[1L, "uno"], [2L, "two"]], rows);
    }

    [Fact]
    public async Task RowsAsync_QuotedNamesAcrossSchemas_JoinsTables()
    {
        var group = new HandMadeTable(_lake, "group", "order");
        group.Commit(0, Protocol(), Metadata(["select"], new("select", "integer", false), new("we\"ird name", "string")),
            await group.AddFileAsync("SELECT 7 AS \"select\", 'x' AS \"we\"\"ird name\"", "f.parquet"));
        var other = new HandMadeTable(_lake, "other", "order");
        other.Commit(0, Protocol(), Metadata(["select"], new HandColumn("select", "integer", false)), await other.AddFileAsync("SELECT 7 AS \"select\"", "g.parquet"));
        using var reader = new DeltaWarehouseReader(_lake);

        var rows = await reader.RowsAsync(
            "SELECT g.\"we\"\"ird name\" FROM \"group\".\"order\" AS g JOIN \"other\".\"order\" AS o ON g.\"select\" = o.\"select\"", default);

        Assert.Equal([["x"]], rows);
    }

    [Fact]
    public async Task RowsAsync_PartitionedTable_ReadsPartitionValuesFromTheLog()
    {
        var table = new HandMadeTable(_lake);
        var add = await table.AddFileAsync("SELECT 1::BIGINT AS id", "region=eu/a.parquet");
        table.Commit(0, Protocol(), MetadataWithSchema(SchemaString(new("id", "long"), new("region", "string")), partitionColumns: ["region"]),
            add.Replace("\"partitionValues\":{}", "\"partitionValues\":{\"region\":\"eu\"}", StringComparison.Ordinal));
        using var reader = new DeltaWarehouseReader(_lake);

        Assert.Equal([[1L, "eu"]], await reader.RowsAsync("SELECT id, region FROM \"s\".\"t\"", default));
    }

    [Fact]
    public async Task RowsAsync_ActiveFileMissing_ThrowsNamingIt()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], IdName), Add("gone.parquet", 100));
        using var reader = new DeltaWarehouseReader(_lake);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.RowsAsync("SELECT 1", default));

        Assert.Contains("gone.parquet", error.Message, StringComparison.Ordinal);
        Assert.Contains("s.t", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ColumnsAsync_Table_ReturnsDeltaTypesNullabilityAndComments()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], new("id", "long", false), new("price", "decimal(15,2)", Comment: "NUMBER"), new("at", "timestamp_ntz")));
        using var reader = new DeltaWarehouseReader(_lake);

        var columns = await reader.ColumnsAsync("s", "t", default);

        Assert.Equal(
            [new ColumnInfo("id", "long", false, null), new ColumnInfo("price", "decimal(15,2)", true, "NUMBER"), new ColumnInfo("at", "timestamp_ntz", true, null)],
            columns);
        Assert.Empty(await reader.ColumnsAsync("s", "missing", default));
    }

    [Fact]
    public async Task PrimaryKeyAsync_Configuration_ReturnsKeyColumnsInOrder()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["b", "a"], new("a", "string", false), new("b", "integer", false)));
        var keyless = new HandMadeTable(_lake, "s", "keyless");
        keyless.Commit(0, Protocol(), Metadata(null, new HandColumn("a", "string")));
        using var reader = new DeltaWarehouseReader(_lake);

        Assert.Equal(["b", "a"], await reader.PrimaryKeyAsync("s", "t", default));
        Assert.Empty(await reader.PrimaryKeyAsync("s", "keyless", default));
        Assert.Empty(await reader.PrimaryKeyAsync("s", "missing", default));
    }

    [Fact]
    public async Task TablesAsync_FoldersWithAndWithoutVersionZero_ListsOnlyTables()
    {
        new HandMadeTable(_lake, "s", "b").Commit(0, Protocol(), Metadata(["id"], IdName));
        new HandMadeTable(_lake, "s", "a").Commit(0, Protocol(), Metadata(["id"], IdName));
        _ = new HandMadeTable(_lake, "s", "uncommitted");
        Directory.CreateDirectory(Path.Combine(_lake, "empty", "nothing"));
        using var reader = new DeltaWarehouseReader(_lake);

        Assert.Equal(["a", "b"], await reader.TablesAsync("s", default));
        Assert.True(await reader.SchemaExistsAsync("s", default));
        Assert.False(await reader.SchemaExistsAsync("empty", default));
        Assert.False(await reader.SchemaExistsAsync("never", default));
        Assert.Empty(await reader.TablesAsync("never", default));
    }

    [Fact]
    public async Task TablesAsync_LakeFolderMissing_IsEmpty()
    {
        using var reader = new DeltaWarehouseReader(Path.Combine(_lake, "not-yet"));

        Assert.Empty(await reader.TablesAsync("s", default));
        Assert.False(await reader.SchemaExistsAsync("s", default));
    }
}

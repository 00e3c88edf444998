using System.Text.Json.Nodes;
using Tributary.Connectors.SpecifiedTypes;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.SpecifiedTypes;

public sealed class SpecifiedTypesConnectorTests
{
    [Fact]
    public async Task UpdateAsync_DeclaredTypes_CreateMatchingDuckDbColumns()
    {
        await using var harness = new ConnectorHarness("specified_types");

        var run = await harness.RunAsync(new SpecifiedTypesConnector());

        RunAssert.Succeeded(run);
        var types = await harness.ColumnTypesAsync("specified");
        Assert.Equal("boolean", types["_bool"]);
        Assert.Equal("smallint", types["_short"]);
        Assert.Equal("bigint", types["_long"]);
        Assert.Equal("decimal(15,2)", types["_dec"]);
        Assert.Equal("float", types["_float"]);
        Assert.Equal("double", types["_double"]);
        Assert.Equal("date", types["_ndate"]);
        Assert.Equal("timestamp", types["_ndatetime"]);
        Assert.Equal("timestamp with time zone", types["_utc"]);
        Assert.Equal("blob", types["_binary"]);
        Assert.Equal("varchar", types["_xml"]);
        Assert.Equal("varchar", types["_str"]);
        Assert.Equal("varchar", types["_json"]);
        Assert.Equal("varchar", types["_null"]);
    }

    [Fact]
    public async Task UpdateAsync_DeclaredTypes_CoerceValuesExactly()
    {
        await using var harness = new ConnectorHarness("specified_types");

        var run = await harness.RunAsync(new SpecifiedTypesConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Tables["specified"].Upserts);
        Assert.Equal(1, run.Checkpoints);

        var row = Assert.Single(await harness.RowsAsync("specified", "_bool"));
        Assert.Equal(true, row["_bool"]);
        Assert.Equal((short)15, row["_short"]);
        Assert.Equal(132353453453635L, row["_long"]);
        Assert.Equal(105.34m, row["_dec"]);
        Assert.Equal(10.4f, row["_float"]);
        Assert.Equal(0.0001, row["_double"]);
        Assert.Equal(new DateOnly(2007, 12, 3), row["_ndate"]);
        Assert.Equal(new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Unspecified), row["_ndatetime"]);
        Assert.Equal(new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), row["_utc"]);
        Assert.Equal(new byte[] { 0x00, 0x01, 0x02, 0x03 }, row["_binary"]);
        Assert.Equal("<tag>This is XML</tag>", row["_xml"]);
        Assert.Equal("This is a string", row["_str"]);
        RunAssert.JsonEqual("""{"a": 10}""", JsonNode.Parse((string)row["_json"]!));
        Assert.True(row.ContainsKey("_null"), "The declared _null column exists.");
        Assert.Null(row["_null"]);
        Assert.Equal(false, row[RunAssert.Deleted]);
    }
}

using System.Text.Json.Nodes;
using Tributary.Sdk.Testing;
using Tributary.Connectors.UnspecifiedTypes;
using Xunit;

namespace Tributary.Connectors.Tests.UnspecifiedTypes;

public sealed class UnspecifiedTypesConnectorTests
{
    [Fact]
    public async Task UpdateAsync_NothingDeclared_InfersTypesFromClrValues()
    {
        await using var harness = new ConnectorHarness("unspecified_types");

        var run = await harness.RunAsync(new UnspecifiedTypesConnector());

        RunAssert.Succeeded(run);
        var types = await harness.ColumnTypesAsync("unspecified");
        Assert.Equal("integer", types["id"]);
        Assert.Equal("boolean", types["_bool"]);
        Assert.Equal("integer", types["_short"]);
        Assert.Equal("bigint", types["_long"]);
        Assert.Equal("double", types["_float"]);
        Assert.Equal("double", types["_double"]);
        Assert.Equal("blob", types["_binary"]);
        Assert.Equal("varchar", types["_str"]);
        Assert.Equal("varchar", types["_xml"]);
        Assert.Equal("varchar", types["_json"]);
    }

    [Fact]
    public async Task UpdateAsync_OnlyNullColumn_IsNotCreated()
    {
        await using var harness = new ConnectorHarness("unspecified_types");

        RunAssert.Succeeded(await harness.RunAsync(new UnspecifiedTypesConnector()));

        var types = await harness.ColumnTypesAsync("unspecified");
        Assert.DoesNotContain("_null", types.Keys);
        Assert.Equal(
            ["_binary", "_bool", "_dec", "_double", "_float", "_json", "_long", "_ndate", "_ndatetime", "_short", "_str", "_utc", "_xml", "id"],
            types.Keys.Where(column => !column.StartsWith("_tributary", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UpdateAsync_NothingDeclared_KeepsValues()
    {
        await using var harness = new ConnectorHarness("unspecified_types");

        var run = await harness.RunAsync(new UnspecifiedTypesConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Tables["unspecified"].Upserts);

        var row = Assert.Single(await harness.RowsAsync("unspecified", "id"));
        Assert.Equal(1, row["id"]);
        Assert.Equal(true, row["_bool"]);
        Assert.Equal(15, row["_short"]);
        Assert.Equal(132353453453635L, row["_long"]);
        Assert.Equal(10.4, row["_float"]);
        Assert.Equal(0.0001, row["_double"]);
        Assert.Equal(new byte[] { 0x00, 0x01, 0x02, 0x03 }, row["_binary"]);
        Assert.Equal("<tag>This is XML</tag>", row["_xml"]);
        Assert.Equal("This is a string", row["_str"]);
        RunAssert.JsonEqual("""{"a": 10}""", JsonNode.Parse((string)row["_json"]!));

        // Text is not parsed when nothing is declared; read as text, the values are what was sent.
        var text = Assert.Single(await harness.QueryAsync(
            $"SELECT CAST(_dec AS VARCHAR) AS _dec, CAST(_ndate AS VARCHAR) AS _ndate, CAST(_ndatetime AS VARCHAR) AS _ndatetime, CAST(_utc AS VARCHAR) AS _utc FROM {harness.Qualified("unspecified")}"));
        Assert.Equal("105.34", text["_dec"]);
        Assert.Equal("2007-12-03", text["_ndate"]);
        Assert.Equal("2007-12-03T10:15:30", text["_ndatetime"]);
        Assert.Equal("2007-12-03T10:15:30.123Z", text["_utc"]);
    }
}

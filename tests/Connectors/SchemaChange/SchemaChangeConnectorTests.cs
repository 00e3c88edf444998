using System.Globalization;
using Tributary.Connectors.SchemaChange;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.SchemaChange;

public sealed class SchemaChangeConnectorTests
{
    private const string Table = "change_int_to_string";

    [Fact]
    public async Task UpdateAsync_FourSyncs_WidensIntToDoubleToStringWithoutReset()
    {
        await using var harness = new ConnectorHarness("schema_change");

        // Sync 1: an int.
        var first = await harness.RunAsync(new SchemaChangeConnector());
        RunAssert.Succeeded(first);
        Assert.Equal("integer", (await harness.ColumnTypesAsync(Table))["int_to_string"]);
        Assert.Equal(42, Assert.Single(await harness.RowsAsync(Table, "description"))["int_to_string"]);
        RunAssert.JsonEqual("""{"sync_count": 1}""", await harness.ReadStateAsync());

        // Sync 2: a double widens the column; the 42 already there is kept.
        var second = await harness.RunAsync(new SchemaChangeConnector());
        RunAssert.Succeeded(second);
        Assert.True(second.SchemaChanges > 0, "The second sync widens int_to_string.");
        Assert.Equal("double", (await harness.ColumnTypesAsync(Table))["int_to_string"]);
        Assert.Equal([42.0, 42.42], (await ValuesAsync(harness)).Select(value => (double)value!).Order());
        RunAssert.JsonEqual("""{"sync_count": 2}""", await harness.ReadStateAsync());

        // Sync 3: text widens it to a string; the numbers become their text.
        var third = await harness.RunAsync(new SchemaChangeConnector());
        RunAssert.Succeeded(third);
        Assert.True(third.SchemaChanges > 0, "The third sync widens int_to_string.");
        Assert.Equal("varchar", (await harness.ColumnTypesAsync(Table))["int_to_string"]);
        var texts = (await ValuesAsync(harness)).Cast<string>().ToList();
        Assert.Contains("forty-two point forty-two", texts);
        Assert.Equal(
            [42.0, 42.42],
            texts.Where(text => text != "forty-two point forty-two")
                .Select(text => double.Parse(text, CultureInfo.InvariantCulture))
                .Order());

        // Sync 4: a double again; the column stays a string, never narrows.
        var fourth = await harness.RunAsync(new SchemaChangeConnector());
        RunAssert.Succeeded(fourth);
        Assert.Equal("varchar", (await harness.ColumnTypesAsync(Table))["int_to_string"]);
        Assert.Contains("42.43", (await ValuesAsync(harness)).Cast<string>());
        Assert.Equal(4, (await harness.RowsAsync(Table, "description")).Count);
        RunAssert.JsonEqual("""{"sync_count": 4}""", await harness.ReadStateAsync());

        var types = await harness.ColumnTypesAsync(Table);
        Assert.Equal("integer", types["id"]);
        Assert.Equal("varchar", types["description"]);
        Assert.Contains(RunAssert.SurrogateId, types.Keys);
    }

    private static async Task<IReadOnlyList<object?>> ValuesAsync(ConnectorHarness harness) =>
        (await harness.RowsAsync(Table, "description")).Select(row => row["int_to_string"]).ToList();
}

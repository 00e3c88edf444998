using Tributary.Connectors.Hello;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Hello;

public sealed class HelloConnectorTests
{
    [Fact]
    public async Task UpdateAsync_FirstSync_WritesOneRowToKeylessTable()
    {
        await using var harness = new ConnectorHarness("hello");

        var run = await harness.RunAsync(new HelloConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Tables["hello"].Upserts);
        Assert.Equal(1, run.Checkpoints);

        var rows = await harness.RowsAsync("hello", "message");
        var row = Assert.Single(rows);
        Assert.Equal("hello, world!", row["message"]);
        Assert.Equal(false, row[RunAssert.Deleted]);
        Assert.NotNull(row[RunAssert.SurrogateId]);

        var types = await harness.ColumnTypesAsync("hello");
        Assert.Equal("varchar", types["message"]);
        Assert.Contains(RunAssert.SurrogateId, types.Keys);
        Assert.Equal("timestamp with time zone", types[RunAssert.Synced]);
        Assert.Equal("boolean", types[RunAssert.Deleted]);

        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_SecondSync_StillOneRow()
    {
        await using var harness = new ConnectorHarness("hello");

        RunAssert.Succeeded(await harness.RunAsync(new HelloConnector()));
        harness.Time.Advance(TimeSpan.FromHours(1));
        var second = await harness.RunAsync(new HelloConnector());

        RunAssert.Succeeded(second);
        Assert.Equal(1, second.Tables["hello"].Upserts);
        var row = Assert.Single(await harness.RowsAsync("hello", "message"));
        Assert.Equal("hello, world!", row["message"]);
    }
}

using Tributary.Sdk.Testing;
using Tributary.Connectors.TimeWindow;
using Xunit;

namespace Tributary.Connectors.Tests.TimeWindow;

public sealed class TimeWindowConnectorTests
{
    [Fact]
    public async Task UpdateAsync_FirstSync_OneRowAndCheckpointPerThirtyDayWindow()
    {
        await using var harness = new ConnectorHarness("time_window");
        // ConnectorHarness.DefaultNow: 2024-09-15T12:00:00Z.

        var run = await harness.RunAsync(new TimeWindowConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(4, run.Tables["timestamps"].Upserts);
        Assert.Equal(4, run.Checkpoints);
        Assert.Equal(
            [
                "from 2024-06-01T00:00:00.000Z to 2024-07-01T00:00:00.000Z",
                "from 2024-07-01T00:00:00.000Z to 2024-07-31T00:00:00.000Z",
                "from 2024-07-31T00:00:00.000Z to 2024-08-30T00:00:00.000Z",
                "from 2024-08-30T00:00:00.000Z to 2024-09-15T12:00:00.000Z",
            ],
            (await harness.RowsAsync("timestamps", "message")).Select(row => (string)row["message"]!));
        RunAssert.JsonEqual("""{"to_timestamp": "2024-09-15T12:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_NextSync_ReadsOneWindowFromLastEnd()
    {
        await using var harness = new ConnectorHarness("time_window");
        RunAssert.Succeeded(await harness.RunAsync(new TimeWindowConnector()));
        harness.Time.Advance(TimeSpan.FromDays(1));

        var run = await harness.RunAsync(new TimeWindowConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Tables["timestamps"].Upserts);
        Assert.Equal(1, run.Checkpoints);
        var messages = (await harness.RowsAsync("timestamps", "message")).Select(row => (string)row["message"]!).ToList();
        Assert.Equal(5, messages.Count);
        Assert.Contains("from 2024-09-15T12:00:00.000Z to 2024-09-16T12:00:00.000Z", messages);
        RunAssert.JsonEqual("""{"to_timestamp": "2024-09-16T12:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_NowWithinFirstWindow_OneWindowToNow()
    {
        await using var harness = new ConnectorHarness("time_window", new DateTimeOffset(2024, 6, 20, 8, 30, 15, 250, TimeSpan.Zero));

        var run = await harness.RunAsync(new TimeWindowConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Checkpoints);
        Assert.Equal(
            "from 2024-06-01T00:00:00.000Z to 2024-06-20T08:30:15.250Z",
            Assert.Single(await harness.RowsAsync("timestamps", "message"))["message"]);
    }
}

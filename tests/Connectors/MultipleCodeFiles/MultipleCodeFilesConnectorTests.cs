using Tributary.Connectors.MultipleCodeFiles;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.MultipleCodeFiles;

public sealed class MultipleCodeFilesConnectorTests
{
    [Fact]
    public async Task UpdateAsync_TwoTimestampFormats_WritesTwoEventsInUtc()
    {
        await using var harness = new ConnectorHarness("multiple_code_files");

        var run = await harness.RunAsync(new MultipleCodeFilesConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(2, run.Tables["event"].Upserts);
        Assert.Equal(1, run.Checkpoints);

        var types = await harness.ColumnTypesAsync("event");
        Assert.Equal("varchar", types["name"]);
        Assert.Equal("timestamp with time zone", types["timestamp"]);

        var rows = await harness.RowsAsync("event", "name");
        Assert.Equal(
            [
                ("Event1", new DateTimeOffset(2024, 9, 24, 14, 30, 45, TimeSpan.Zero)),
                ("Event2", new DateTimeOffset(2024, 9, 24, 10, 30, 45, TimeSpan.Zero)),
            ],
            rows.Select(row => ((string)row["name"]!, (DateTimeOffset)row["timestamp"]!)));
    }
}

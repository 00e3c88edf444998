using Tributary.Connectors.SimpleThreeStepCursor;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.SimpleThreeStepCursor;

public sealed class SimpleThreeStepCursorConnectorTests
{
    private static readonly (int Id, string Message)[] Expected = [(10, "Hello world"), (20, "Hello again"), (30, "Good bye")];

    [Fact]
    public async Task UpdateAsync_ThreeSyncs_AddOneRowEachAndAdvanceCursor()
    {
        await using var harness = new ConnectorHarness("simple_three_step_cursor");

        for (var sync = 1; sync <= 3; sync++)
        {
            var run = await harness.RunAsync(new SimpleThreeStepCursorConnector());

            RunAssert.Succeeded(run);
            Assert.Equal(1, run.Tables["hello_world"].Upserts);
            Assert.Equal(1, run.Checkpoints);
            RunAssert.JsonEqual($$"""{"cursor": {{sync}}}""", await harness.ReadStateAsync());

            var rows = await harness.RowsAsync("hello_world", "id");
            Assert.Equal(Expected.Take(sync), rows.Select(row => ((int)row["id"]!, (string)row["message"]!)));
        }

        var types = await harness.ColumnTypesAsync("hello_world");
        Assert.Equal("integer", types["id"]);
        Assert.Equal("varchar", types["message"]);
    }

    [Fact]
    public async Task UpdateAsync_FourthSync_FailsSourceExhaustedAndChangesNothing()
    {
        await using var harness = new ConnectorHarness("simple_three_step_cursor");
        for (var sync = 1; sync <= 3; sync++)
        {
            RunAssert.Succeeded(await harness.RunAsync(new SimpleThreeStepCursorConnector()));
        }

        var fourth = await harness.RunAsync(new SimpleThreeStepCursorConnector());

        RunAssert.Failed(fourth, "Source exhausted");
        Assert.Equal(0, fourth.Checkpoints);
        RunAssert.JsonEqual("""{"cursor": 3}""", await harness.ReadStateAsync());
        var rows = await harness.RowsAsync("hello_world", "id");
        Assert.Equal(Expected, rows.Select(row => ((int)row["id"]!, (string)row["message"]!)));
    }
}

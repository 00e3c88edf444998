using System.Text.Json.Nodes;
using Tributary.Connectors.Errors;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Errors;

public sealed class ErrorsConnectorTests
{
    private const string Table = "demo_response_test";

    private static Dictionary<string, string> Simulation(string type) => new() { ["error_simulation_type"] = type };

    [Fact]
    public async Task UpdateAsync_SimulationZero_WritesOneRowAndSavesCursor()
    {
        await using var harness = new ConnectorHarness("errors");

        var run = await harness.RunAsync(new ErrorsConnector(), Simulation("0"));

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Tables[Table].Upserts);
        Assert.Equal(1, run.Checkpoints);

        var row = Assert.Single(await harness.RowsAsync(Table, "key"));
        Assert.Equal(ConnectorHarness.DefaultNow.ToUnixTimeSeconds(), (double)row["key"]!);
        Assert.Equal("default", row["request"]);
        Assert.Equal("Simulated response for config: default", row["result"]);
        var metadata = JsonNode.Parse((string)row["metadata"]!)!.AsObject();
        Assert.Equal(ConnectorHarness.DefaultNow.ToUnixTimeSeconds(), metadata["timestamp"]!.GetValue<double>());
        Assert.InRange(metadata["random_value"]!.GetValue<int>(), 1, 100);

        // FakeTimeProvider's local time zone is UTC.
        RunAssert.JsonEqual("""{"cursor": "2024-09-15 12:00:00"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_SampleConfigurationFile_Succeeds()
    {
        await using var harness = new ConnectorHarness("errors");

        RunAssert.Succeeded(await harness.RunAsync(new ErrorsConnector(), SampleConfiguration.Read("Errors")));
    }

    [Theory]
    [InlineData("1", "CRITICAL ERROR: Missing required configuration")]
    [InlineData("2", "CRITICAL ERROR: Invalid state format detected")]
    [InlineData("3", "CRITICAL ERROR: Error during data generation")]
    [InlineData("4", "CRITICAL ERROR: Error processing data")]
    [InlineData("5", "CRITICAL ERROR: Error during upsert operation")]
    public async Task UpdateAsync_SimulatedError_FailsBeforeWritingAndKeepsState(string type, string expectedError)
    {
        await using var harness = new ConnectorHarness("errors");
        RunAssert.Succeeded(await harness.RunAsync(new ErrorsConnector(), Simulation("0")));
        var stateBefore = await harness.ReadStateAsync();
        var rowsBefore = await harness.RowsAsync(Table, "key");
        harness.Time.Advance(TimeSpan.FromHours(1));

        var run = await harness.RunAsync(new ErrorsConnector(), Simulation(type));

        RunAssert.Failed(run, expectedError);
        Assert.Equal(0, run.Checkpoints);
        Assert.False(run.Tables.TryGetValue(Table, out var counts) && counts.Upserts > 0, "Nothing is upserted.");
        Assert.True(JsonNode.DeepEquals(stateBefore, await harness.ReadStateAsync()), "The state is unchanged.");
        Assert.Equal(rowsBefore, await harness.RowsAsync(Table, "key"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    [InlineData("5")]
    public async Task UpdateAsync_SimulatedErrorOnFirstSync_CreatesNothing(string type)
    {
        await using var harness = new ConnectorHarness("errors");

        var run = await harness.RunAsync(new ErrorsConnector(), Simulation(type));

        RunAssert.Failed(run, "CRITICAL ERROR");
        Assert.False(await harness.TableExistsAsync(Table));
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_MissingSimulationType_FailsNamingKey()
    {
        await using var harness = new ConnectorHarness("errors");

        var run = await harness.RunAsync(new ErrorsConnector());

        RunAssert.Failed(run, "error_simulation_type");
    }
}

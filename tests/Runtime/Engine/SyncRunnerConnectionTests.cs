using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>A run is of a connection: its id keys state and run records, its schema (default the id) holds its tables.</summary>
public sealed class SyncRunnerConnectionTests
{
    [Fact]
    public async Task Run_SchemaSet_WritesTablesThereAndKeepsStateUnderTheConnection()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            new TestConnector(async (context, token) =>
            {
                await context.UpsertAsync("items", new { id = 1 }, token);
                await context.CheckpointAsync(new { cursor = 1 }, token);
            }),
            request => request with { Schema = "acme_warehouse" });

        Assert.Equal(EngineHarness.Connector, run.Connector);
        Assert.Single(harness.Destination.Rows("acme_warehouse", "items"));
        Assert.False(harness.Destination.HasTable(EngineHarness.Connector, "items"));
        Assert.Equal("{\"cursor\":1}", (await harness.ReadStateAsync()).State.ToJsonString());
    }

    [Fact]
    public void Schema_NotSet_IsTheConnectionId()
    {
        var request = new SyncRequest("github_acme", new TestConnector((_, _) => Task.CompletedTask), ConnectorConfiguration.Empty);

        Assert.Equal("github_acme", request.Schema);
        Assert.Equal("acme", (request with { Schema = "acme" }).Schema);
    }
}

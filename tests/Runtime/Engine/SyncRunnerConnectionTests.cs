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
    public async Task Run_DestinationSlowToOpen_ConnectorStartsMeanwhileAndItsRowsWaitForTheTables()
    {
        await using var harness = new EngineHarness();
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connectorStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Destination.BeforeGetTables = async token =>
        {
            await connectorStarted.Task.WaitAsync(token);   // the connector runs while the destination opens
            await opened.Task.WaitAsync(token);
        };

        var run = harness.RunAsync(new TestConnector(async (context, token) =>
        {
            await context.UpsertAsync("items", new { id = 1 }, token);
            connectorStarted.SetResult();
            await context.CheckpointAsync(new { cursor = 1 }, token);
        }));

        await connectorStarted.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Empty(harness.Destination.Batches);   // nothing is written before the destination's tables are known
        opened.SetResult();

        RunAssert.Succeeded(await run);
        Assert.Single(harness.Destination.Rows(EngineHarness.Connector, "items"));
        Assert.Equal("{\"cursor\":1}", (await harness.ReadStateAsync()).State.ToJsonString());
    }

    [Fact]
    public async Task Run_DestinationFailsToOpen_FailsWithItsErrorAndNothingIsWrittenOrSaved()
    {
        await using var harness = new EngineHarness();
        harness.Destination.BeforeGetTables = _ => throw new InvalidOperationException("The warehouse file is locked by another process.");

        var run = await harness.RunAsync(new TestConnector(async (context, token) =>
        {
            for (var id = 0; ; id++)   // a connector that would go on forever: the failure stops it
            {
                await context.UpsertAsync("items", new { id }, token);
                await context.CheckpointAsync(new { cursor = id }, token);
            }
        }));

        Assert.Contains("The warehouse file is locked by another process.", RunAssert.Failed(run), StringComparison.Ordinal);
        Assert.Empty(harness.Destination.Batches);
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public void Schema_NotSet_IsTheConnectionId()
    {
        var request = new SyncRequest("github_acme", new TestConnector((_, _) => Task.CompletedTask), ConnectorConfiguration.Empty);

        Assert.Equal("github_acme", request.Schema);
        Assert.Equal("acme", (request with { Schema = "acme" }).Schema);
    }
}

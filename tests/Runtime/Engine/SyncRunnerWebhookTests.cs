using System.Text;
using System.Text.Json.Nodes;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>A connector's webhook handler runs through the same engine as a sync: lease, batches, checkpoints, run record.</summary>
public sealed class SyncRunnerWebhookTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);
    private static readonly TableDefinition Items = new("items") { PrimaryKey = ["id"] };
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""[{"id":1,"name":"one"},{"id":2,"name":"two"}]""");

    [Fact]
    public async Task HandleWebhookAsync_HandlerUpsertsAndCheckpoints_CommitsRowsStateAndRunRecord()
    {
        await using var harness = new EngineHarness();
        var connector = new WebhookConnector(async (context, ct) =>
        {
            foreach (var item in JsonNode.Parse(context.Body.Span)!.AsArray())
            {
                await context.UpsertAsync("items", item!.AsObject(), ct);
            }

            await context.CheckpointAsync(new { delivered = 2 }, ct);
        });

        var result = await HandleAsync(harness, connector, new WebhookDelivery(Body, "application/json"));

        RunAssert.Succeeded(result.Run);
        Assert.False(result.SyncRequested);
        Assert.Equal(("webhook", 1, 2L), (result.Run.Trigger, result.Run.Checkpoints, result.Run.Tables["items"].Upserts));
        Assert.Equal(["one", "two"], harness.Rows("items").OrderBy(r => r["id"]).Select(r => r["name"]));
        RunAssert.JsonEqual("""{"delivered":2}""", (await harness.ReadStateAsync()).State);
        var saved = Assert.Single(await harness.RunsAsync());
        Assert.Equal((result.Run.Id, RunOutcome.Succeeded, "webhook"), (saved.Id, saved.Outcome, saved.Trigger));
    }

    [Fact]
    public async Task HandleWebhookAsync_Delivery_HandlerSeesBodyContentTypeHeadersAndState()
    {
        await using var harness = new EngineHarness();
        await harness.FileStore.WriteAsync(EngineHarness.Connector, EngineHarness.State("""{"cursor":7}"""), null, CancellationToken.None);
        string? seen = null;
        var connector = new WebhookConnector((context, _) =>
        {
            seen = $"{Encoding.UTF8.GetString(context.Body.Span).Length} {context.ContentType} {context.Headers["x-event"]} {context.Headers["X-Event"]} {context.State["cursor"]}";
            Assert.Equal(["x-event"], context.Headers.Keys);
            return Task.CompletedTask;
        });

        var result = await HandleAsync(harness, connector, new WebhookDelivery(Body, "application/json", [new("X-Event", "push")]));

        RunAssert.Succeeded(result.Run);
        Assert.Equal($"{Body.Length} application/json push push 7", seen);
    }

    [Fact]
    public async Task HandleWebhookAsync_LeaseHeld_ThrowsConnectorBusyAndDoesNotRunTheHandler()
    {
        await using var harness = new EngineHarness();
        var ran = false;
        var connector = new WebhookConnector((_, _) =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        await using var lease = await harness.Store.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None);

        await Assert.ThrowsAsync<ConnectorBusyException>(() => HandleAsync(harness, connector, new WebhookDelivery(Body)));

        Assert.False(ran);
        Assert.Empty(await harness.RunsAsync());
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public async Task HandleWebhookAsync_DefaultHandler_RequestsSyncAndWritesNothing()
    {
        await using var harness = new EngineHarness();

        var result = await HandleAsync(harness, new TestConnector((_, _) => throw new InvalidOperationException("UpdateAsync must not run."), Items), new WebhookDelivery(Body));

        RunAssert.Succeeded(result.Run);
        Assert.True(result.SyncRequested);
        Assert.Empty(harness.Destination.Batches);
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public async Task HandleWebhookAsync_HandlerRequestsSyncAfterWriting_ReportsBoth()
    {
        await using var harness = new EngineHarness();
        var connector = new WebhookConnector(async (context, ct) =>
        {
            await context.UpsertAsync("items", new { id = 1, name = "one" }, ct);
            await context.CheckpointAsync(new { }, ct);
            context.RequestSync();
            context.RequestSync();
        });

        var result = await HandleAsync(harness, connector, new WebhookDelivery(Body));

        RunAssert.Succeeded(result.Run);
        Assert.True(result.SyncRequested);
        Assert.Single(harness.Rows("items"));
    }

    [Fact]
    public async Task HandleWebhookAsync_HandlerFailsAfterCheckpoint_KeepsCommittedWorkAndReportsFailure()
    {
        await using var harness = new EngineHarness();
        var connector = new WebhookConnector(async (context, ct) =>
        {
            await context.UpsertAsync("items", new { id = 1, name = "one" }, ct);
            await context.CheckpointAsync(new { cursor = 1 }, ct);
            await context.UpsertAsync("items", new { id = 2, name = "two" }, ct);
            context.RequestSync();
            throw new InvalidDataException("The delivery is not an array.");
        });

        var result = await HandleAsync(harness, connector, new WebhookDelivery(Body));

        Assert.Contains("The delivery is not an array.", RunAssert.Failed(result.Run), StringComparison.Ordinal);
        Assert.True(result.SyncRequested);
        Assert.Equal([1], harness.Rows("items").Select(r => (int)r["id"]!));
        RunAssert.JsonEqual("""{"cursor":1}""", (await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task HandleWebhookAsync_HandlerPassesHardDeadline_StopsItAndKeepsTheState()
    {
        await using var harness = new EngineHarness();
        var connector = new WebhookConnector(async (context, ct) =>
        {
            await context.UpsertAsync("items", new { id = 1, name = "one" }, ct);
            harness.Time.Advance(TimeSpan.FromSeconds(11));
            await Task.Delay(Timeout.Infinite, ct);
        });

        var result = await HandleAsync(harness, connector, new WebhookDelivery(Body), TimeSpan.FromSeconds(10));

        Assert.Equal(RunOutcome.TimedOut, result.Run.Outcome);
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public void WebhookDelivery_HeaderNamesDifferingInCase_KeepsTheLastInLowerCase()
    {
        var delivery = new WebhookDelivery(Body, headers: [new("X-A", "1"), new("x-a", "2"), new("B", "3")]);

        Assert.Equal(["b", "x-a"], delivery.Headers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("2", delivery.Headers["X-A"]);
    }

    private static Task<WebhookRunResult> HandleAsync(EngineHarness harness, Connector connector, WebhookDelivery delivery, TimeSpan? deadline = null)
    {
        var runner = new SyncRunner(harness.Destination, harness.Store, harness.Options, harness.Secrets, harness.Time, new FakeLoggerFactory(harness.Logs));
        var request = new SyncRequest(EngineHarness.Connector, connector, ConnectorConfiguration.Empty) { Trigger = "webhook", HardDeadline = deadline };
        return runner.HandleWebhookAsync(request, delivery, CancellationToken.None).WaitAsync(HangGuard);
    }

    /// <summary>A connector whose webhook handler is a lambda; its update writes nothing.</summary>
    private sealed class WebhookConnector(Func<WebhookContext, CancellationToken, Task> handle) : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => [Items];

        public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task HandleWebhookAsync(WebhookContext context, CancellationToken cancellationToken) => handle(context, cancellationToken);
    }
}

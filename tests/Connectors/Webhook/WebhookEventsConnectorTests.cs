using System.Text;
using System.Text.Json.Nodes;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Webhook;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.Webhook;

public sealed class WebhookEventsConnectorTests
{
    private const string Table = WebhookEventsConnector.Table;

    [Fact]
    public async Task HandleWebhookAsync_TwoDeliveries_UpsertsEventsByIdAndCheckpointsLastDeliveryTime()
    {
        await using var harness = new ConnectorHarness("webhook_events");

        var first = await DeliverAsync(harness, """[{"id":"e1","type":"created","amount":5},{"id":"e2","type":"created","amount":7}]""");
        harness.Time.Advance(TimeSpan.FromMinutes(3));
        var second = await DeliverAsync(harness, """{"id":"e1","type":"updated","amount":6,"data":{"by":"ada"}}""");

        RunAssert.Succeeded(first.Run);
        RunAssert.Succeeded(second.Run);
        Assert.False(first.SyncRequested || second.SyncRequested);
        Assert.Equal(("webhook", 2L, 1), (first.Run.Trigger, first.Run.Tables[Table].Upserts, first.Run.Checkpoints));

        var rows = await harness.RowsAsync(Table, "id");
        Assert.Equal(
            [("e1", "updated", 6L), ("e2", "created", 7L)],
            rows.Select(r => ((string)r["id"]!, (string)r["type"]!, Convert.ToInt64(r["amount"], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal("ada", JsonNode.Parse((string)rows[0]["data"]!)!["by"]!.GetValue<string>());
        Assert.Null(rows[1]["data"]);

        var state = await harness.ReadStateAsync();
        Assert.Equal(harness.Time.GetUtcNow(), state["last_delivery_at"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("not json", "The delivery is not JSON")]
    [InlineData("[{\"id\":1},2]", "Event 1 of the delivery is not a JSON object.")]
    [InlineData("[{\"id\":1},{\"type\":\"x\"}]", "Event 1 of the delivery has no 'id'.")]
    [InlineData("\"text\"", "neither a JSON object nor an array")]
    public async Task HandleWebhookAsync_UnusableBody_FailsClearlyAndWritesNothing(string body, string error)
    {
        await using var harness = new ConnectorHarness("webhook_events");

        var result = await DeliverAsync(harness, body);

        RunAssert.Failed(result.Run, error);
        Assert.False(await harness.TableExistsAsync(Table));
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_ScheduledSync_PullsNothing()
    {
        await using var harness = new ConnectorHarness("webhook_events");
        RunAssert.Succeeded((await DeliverAsync(harness, """{"id":"e1"}""")).Run);
        var state = (await harness.ReadStateAsync()).ToJsonString();

        var run = await harness.RunAsync(new WebhookEventsConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(0, run.Checkpoints);
        Assert.Single(await harness.RowsAsync(Table, "id"));
        Assert.Equal(state, (await harness.ReadStateAsync()).ToJsonString());
    }

    /// <summary>One delivery through the real engine into the harness's DuckDB file, as the Functions host runs it.</summary>
    private static async Task<WebhookRunResult> DeliverAsync(ConnectorHarness harness, string body)
    {
        await using var warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = harness.Warehouse.DatabasePath });
        var runner = new SyncRunner(warehouse, new FileStateStore(harness.FilesDirectory), new SyncRunnerOptions(), timeProvider: harness.Time);
        var request = new SyncRequest(harness.Connection, new WebhookEventsConnector(), ConnectorConfiguration.Empty) { Trigger = "webhook" };
        return await runner.HandleWebhookAsync(request, new WebhookDelivery(Encoding.UTF8.GetBytes(body), "application/json"), harness.CancellationToken);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tributary.Azure.Secrets;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Api;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Tests.Functions;

/// <summary>A verified delivery runs the connector's own webhook handler inline, through the engine, under its lease.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WebhookHandlerTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{
    private const string Secret = "whsec-fedcba9876543210";
    protected override void Seed(FakeKeyVault vault)
    {
        vault.Set(KeyVaultSecretName.For("webhook_events", WebhookReceiver.SecretName), Secret);
        vault.Set(KeyVaultSecretName.For("scripted_webhook", WebhookReceiver.SecretName), Secret);
    }

    private LocalWarehouse Warehouse => new(Path.Combine(App.Files, "warehouse.db"));

    [Fact]
    public async Task Webhook_SignedDeliveryToWebhookEvents_LandsRowsAndStateThenReturns202()
    {
        using var response = await PostAsync("webhook_events", """[{"id":"e1","type":"created"},{"id":"e2","type":"paid"}]""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var runId = body["runId"]!.GetValue<string>();
        Assert.Null(body["syncId"]);
        Assert.EndsWith($"/api/connections/webhook_events?sync={runId}", response.Headers.Location!.ToString(), StringComparison.Ordinal);

        Assert.Equal(
            ["e1 created", "e2 paid"],
            (await Warehouse.QueryAsync("SELECT id || ' ' || type FROM webhook_events.event ORDER BY id")).Select(row => (string)row[0]!));
        var state = await App.Store.ReadAsync("webhook_events", CancellationToken.None);
        Assert.Equal(App.Time.GetUtcNow(), state.State["last_delivery_at"]!.GetValue<DateTimeOffset>());
        var run = Assert.Single(await RunsAsync("webhook_events"));
        Assert.Equal((runId, "webhook", RunOutcome.Succeeded, 1), (run.Id, run.Trigger, run.Outcome, run.Checkpoints));
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Webhook_HandlerRequestsSync_CommitsItsRowsAndQueuesWebhookSync()
    {
        using var response = await PostAsync("scripted_webhook", """{"action":"sync","id":7}""", ("X-Event-Kind", "push"), ("Authorization", "Bearer abc"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var message = (await App.DequeueAsync())!;
        Assert.Equal(("scripted_webhook", "webhook", body["syncId"]!.GetValue<string>()), (message.Connection, message.Trigger, message.SyncId));
        Assert.NotNull(body["runId"]);
        var row = Assert.Single(await Warehouse.QueryAsync("SELECT id, headers FROM scripted_webhook.ping"));
        Assert.Equal(7, Convert.ToInt32(row[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("content-length,content-type,host,webhook-id,webhook-timestamp,x-event-kind", row[1]);   // never the signature or a credential
    }

    [Fact]
    public async Task Webhook_HandlerRequestsSyncWhileOneIsQueued_NamesTheQueuedSync()
    {
        using var first = await PostAsync("scripted_webhook", """{"action":"sync","id":1}""");
        using var second = await PostAsync("scripted_webhook", """{"action":"sync","id":2}""");

        var firstSync = (await first.Content.ReadFromJsonAsync<JsonObject>())!["syncId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(firstSync, (await second.Content.ReadFromJsonAsync<JsonObject>())!["syncId"]!.GetValue<string>());
        Assert.Equal(firstSync, (await App.DequeueAsync())!.SyncId);
        Assert.Null(await App.DequeueAsync());
        Assert.Equal(2, (await RunsAsync("scripted_webhook")).Count);
    }

    [Fact]
    public async Task Webhook_WhileConnectorRuns_Returns503WithRetryAfterAndRunsNothing()
    {
        await using (await App.Store.AcquireLeaseAsync("webhook_events", CancellationToken.None))
        {
            using var response = await PostAsync("webhook_events", """{"id":"e1"}""");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter!.Delta);
            Assert.Contains("is running now", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Warehouse.DatabasePath));
        Assert.Empty(await RunsAsync("webhook_events"));
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Webhook_RetryOfDeliveryRefusedWhileConnectorRan_IsHandled()
    {
        var id = SignedDelivery.NewId();
        await using (await App.Store.AcquireLeaseAsync("webhook_events", CancellationToken.None))
        {
            using var busy = await PostAsync("webhook_events", """{"id":"e1"}""", id);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        }

        App.Time.Advance(TimeSpan.FromSeconds(30));
        using var retry = await PostAsync("webhook_events", """{"id":"e1"}""", id);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Single(await RunsAsync("webhook_events"));
    }

    [Fact]
    public async Task Webhook_HandlerFails_Returns500NamingTheRunNotTheErrorAndQueuesNothing()
    {
        using var response = await PostAsync("scripted_webhook", """{"action":"fail"}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var run = Assert.Single(await RunsAsync("scripted_webhook"));
        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("secret-looking failure detail", run.Error, StringComparison.Ordinal);
        Assert.Contains($"Run {run.Id}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-looking", text, StringComparison.Ordinal);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Webhook_HandlerRunsOutOfTime_Returns503WithRetryAfterAndKeepsState()
    {
        using var response = await PostAsync("scripted_webhook", """{"action":"stall"}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("did not handle the delivery within 00:00:10", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(RunOutcome.TimedOut, Assert.Single(await RunsAsync("scripted_webhook")).Outcome);
        Assert.Null((await App.Store.ReadAsync("scripted_webhook", CancellationToken.None)).Version);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Webhook_ConnectorWithoutHandler_QueuesSyncWithoutRunningIt()
    {
        Vault.Set(KeyVaultSecretName.For("hello", WebhookReceiver.SecretName), Secret);

        using var response = await PostAsync("hello", """{"event":"changed"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Null(body["runId"]);
        Assert.Equal(body["syncId"]!.GetValue<string>(), (await App.DequeueAsync())!.SyncId);
        Assert.Empty(await RunsAsync("hello"));
    }

    [Theory]
    [InlineData(typeof(Connectors.Webhook.WebhookEventsConnector), true)]
    [InlineData(typeof(ScriptedWebhookConnector), true)]
    [InlineData(typeof(Connectors.Hello.HelloConnector), false)]
    public void HandlesWebhooks_OverrideOfHandleWebhookAsync_IsDetected(Type connector, bool expected) =>
        Assert.Equal(expected, ConnectorWebhookHandler.HandlesWebhooks(connector));

    private Task<HttpResponseMessage> PostAsync(string connector, string json, params (string Name, string Value)[] headers) =>
        PostAsync(connector, json, SignedDelivery.NewId(), headers);

    private async Task<HttpResponseMessage> PostAsync(string connector, string json, string id, params (string Name, string Value)[] headers)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var request = SignedDelivery.Create($"/api/connections/{connector}/webhook", body, Secret, id, App.Time.GetUtcNow());
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await App.CreateClient(withKey: false).SendAsync(request);
    }

    private async Task<List<RunRecord>> RunsAsync(string connector)
    {
        var runs = new List<RunRecord>();
        await foreach (var run in App.Store.ListRunsAsync(connector, CancellationToken.None))
        {
            runs.Add(run);
        }

        return runs;
    }
}

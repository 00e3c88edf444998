using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Functions;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Tests.Functions;

[Collection(AzuriteCollection.Name)]
public sealed class HttpFunctionsTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{

    [Fact]
    public async Task ListConnections_WithKey_Returns200WithEveryConnection()
    {
        using var response = await App.CreateClient().GetAsync("/api/connections");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        var hello = list.Single(c => c!["id"]!.GetValue<string>() == "hello")!;
        Assert.Equal("hello", hello["connector"]!.GetValue<string>());
        Assert.True(hello["enabled"]!.GetValue<bool>());
        Assert.Equal("0 */5 * * * *", hello["schedule"]!.GetValue<string>());
        Assert.Equal(App.Time.GetUtcNow().AddMinutes(5), hello["nextRunAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("delta", hello["destination"]!.GetValue<string>());
        Assert.Equal("hello", hello["schema"]!.GetValue<string>());
        Assert.False(list.Single(c => c!["id"]!.GetValue<string>() == "synthetic")!["enabled"]!.GetValue<bool>());
        Assert.Equal(
            ["errors", "hello", "paced_synthetic", "scripted_webhook", "stalling", "synthetic", "webhook_events"],
            list.Select(c => c!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ListConnectors_WithKey_Returns200WithEveryTypeAndItsConnections()
    {
        using var response = await App.CreateClient().GetAsync("/api/connectors");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        var examples = new Tributary.Runtime.ConnectorCatalog(typeof(Tributary.Connectors.Hello.HelloConnector).Assembly).Names.Count;
        Assert.Equal(examples + 4, list.Count);   // the examples and the tests' paced_synthetic, stalling, scripted_webhook and org_echo
        var hello = list.Single(c => c!["name"]!.GetValue<string>() == "hello")!;
        Assert.Equal(["hello"], hello["connections"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(hello["description"]?.GetValue<string>()));
        Assert.Empty(list.Single(c => c!["name"]!.GetValue<string>() == "hashes")!["connections"]!.AsArray());
    }

    [Theory]
    [InlineData("GET", "/api/connectors")]
    [InlineData("GET", "/api/connections")]
    [InlineData("GET", "/api/connections/hello")]
    [InlineData("POST", "/api/connections/hello/sync")]
    public async Task Endpoint_WithoutFunctionKey_Returns401(string method, string path)
    {
        using var response = await App.CreateClient(withKey: false).SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task GetConnection_UnknownId_Returns404Problem()
    {
        using var response = await App.CreateClient().GetAsync("/api/connections/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No connection has id 'nope'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetConnection_BadRunsParameter_Returns400() =>
        Assert.Equal(HttpStatusCode.BadRequest, (await App.CreateClient().GetAsync("/api/connections/hello?runs=0")).StatusCode);

    [Fact]
    public async Task StartSync_Hello_Returns202WithStatusUrlAndRunsThroughQueue()
    {
        var client = App.CreateClient();

        using var accepted = await client.PostAsync("/api/connections/hello/sync", null);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!;
        var syncId = body["syncId"]!.GetValue<string>();
        Assert.Equal(accepted.Headers.Location!.ToString(), body["status"]!.GetValue<string>());
        Assert.EndsWith($"/api/connections/hello?sync={syncId}", body["status"]!.GetValue<string>(), StringComparison.Ordinal);

        var message = (await App.DequeueAsync())!;
        Assert.Equal(("hello", "http", syncId), (message.Connection, message.Trigger, message.SyncId));
        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);

        using var status = await client.GetAsync(accepted.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var json = (await status.Content.ReadFromJsonAsync<JsonObject>())!;
        var run = Assert.Single(json["runs"]!.AsArray())!;
        Assert.Equal("Succeeded", run["outcome"]!.GetValue<string>());
        Assert.Equal(1, run["upserts"]!.GetValue<long>());
        Assert.Equal(1, run["tables"]!["hello"]!["upserts"]!.GetValue<long>());
        Assert.Equal(1, run["checkpoints"]!.GetValue<int>());
        Assert.False(json["running"]!.GetValue<bool>());
        Assert.Equal("1", json["state"]!["version"]!.GetValue<string>());
        Assert.Equal(2, json["state"]!["bytes"]!.GetValue<long>());   // {}
        Assert.NotNull(json["checkpointAt"]);
    }

    [Fact]
    public async Task StartSync_UnknownConnection_Returns404AndQueuesNothing()
    {
        using var response = await App.CreateClient().PostAsync("/api/connections/nope/sync", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(await App.DequeueAsync());
    }

    [Theory]
    [InlineData("{not json", "must be empty or a JSON object")]
    [InlineData("[1,2]", "must be empty or a JSON object")]
    [InlineData("{\"maxDurationn\":\"00:01:00\"}", "Unknown property 'maxDurationn'")]
    [InlineData("{\"maxDuration\":\"soon\"}", "'maxDuration' is a positive time span")]
    public async Task StartSync_MalformedBody_Returns400AndQueuesNothing(string body, string expected)
    {
        using var response = await App.CreateClient().PostAsync("/api/connections/hello/sync", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await App.DequeueAsync());
        Assert.Null((await App.Store.ReadAsync("hello", CancellationToken.None)).Version);
    }

    [Fact]
    public async Task StartSync_MaxDuration_TravelsOnTheMessage()
    {
        using var response = await App.CreateClient().PostAsync(
            "/api/connections/hello/sync", new StringContent("{\"maxDuration\":\"00:05:00\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(5), (await App.DequeueAsync())!.MaxDuration);
    }

    [Fact]
    public async Task StartSync_WhileRunHoldsLease_Returns409AndQueuesNothing()
    {
        await using var lease = await App.Store.AcquireLeaseAsync("hello", CancellationToken.None);

        using var response = await App.CreateClient().PostAsync("/api/connections/hello/sync", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Connection 'hello' is running now", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task StartSync_TwoRequestsStartedTogether_ExactlyOneQueuedOtherRefused409()
    {
        var client = App.CreateClient();

        var responses = await Task.WhenAll(client.PostAsync("/api/connections/hello/sync", null), client.PostAsync("/api/connections/hello/sync", null));

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        var accepted = responses.Single(r => r.StatusCode == HttpStatusCode.Accepted);
        var syncId = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!["syncId"]!.GetValue<string>();
        var refused = await responses.Single(r => r.StatusCode == HttpStatusCode.Conflict).Content.ReadAsStringAsync();
        Assert.Contains($"Sync {syncId} of connection 'hello' is queued", refused, StringComparison.Ordinal);

        // Exactly one message, one run; once it has ended the next request is queued again.
        var message = (await App.DequeueAsync())!;
        Assert.Null(await App.DequeueAsync());
        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);
        Assert.Equal(syncId, Assert.Single(await ListRunsAsync()).SyncId);
        using var next = await client.PostAsync("/api/connections/hello/sync", null);
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
    }

    [Fact]
    public async Task RunSync_SecondMessageWhileRunHoldsLease_QueuedAgainLaterAndNothingRuns()
    {
        await using var lease = await App.Store.AcquireLeaseAsync("hello", CancellationToken.None);   // a run in progress

        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(new Azure.Queue.RunMessage("hello", "timer", "other-sync")), CancellationToken.None);

        Assert.Empty(await ListRunsAsync());
        Assert.Contains(App.Logs.Lines, line => line.Contains("found its lease held; queued again in", StringComparison.Ordinal));
        Assert.Equal(1, (await App.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);   // back on the queue, invisible for now
        Assert.Null(await App.DequeueAsync());
    }

    private async Task<List<RunRecord>> ListRunsAsync()
    {
        var runs = new List<RunRecord>();
        await foreach (var run in App.Store.ListRunsAsync("hello", CancellationToken.None))
        {
            runs.Add(run);
        }

        return runs;
    }
}

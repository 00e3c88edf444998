using System.Net;
using System.Text;
using Tributary.Runtime.State;
using Tributary.Sdk.Http;

namespace Tributary.Sdk.Testing.Tests;

public sealed class HarnessTests
{
    [Fact]
    public async Task RunAsync_HttpHandler_ServesTheContextsHttpClientAndARestClientBuiltFromIt()
    {
        using var api = new InMemoryApi();
        await using var harness = new ConnectorHarness("http_reader") { HttpHandler = api };

        var run = await harness.RunAsync(new HttpReaderConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(["GET https://api.test/status", "GET https://api.test/v1/items"], api.Requests);
        Assert.Equal(["id=1|name=one|status=green", "id=2|name=two|status=green"],
            (await harness.ContentsAsync("items", "id")).Select(row => row.Replace("_tributary_deleted=False|", "", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunAsync_RecordsEveryOperationAndSavedCheckpointInOrder()
    {
        await using var harness = new ConnectorHarness("items");

        RunAssert.Succeeded(await harness.RunAsync(new ItemsConnector()));

        Assert.Equal(25 + 7, harness.Operations.Count);
        Assert.Equal(
            ["Upsert items {\"id\":1,\"name\":\"item 1\",\"updated_at\":\"2024-01-01T00:00:00+00:00\"}", "Upsert items", "Upsert items", "Upsert items", "Checkpoint  {\"UpdatedAt\":\"2024-01-01T00:01:00+00:00\",\"Token\":null}"],
            harness.Operations.Take(5).Select((o, i) => i is 0 or 4 ? o.ToString() : $"{o.Kind} {o.Table}"));
        Assert.Equal("2024-01-01T00:08:00+00:00", (await harness.ReadStateAsync())["UpdatedAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task RunAsync_KilledAfterOperations_FailsThereKeepingTheLastCheckpointAndItsRows()
    {
        await using var harness = new ConnectorHarness("items");

        var run = await harness.RunAsync(new ItemsConnector(), killAfterOperations: 6);

        RunAssert.Failed(run, "killed after 6 operations");
        Assert.Equal(6, harness.Operations.Count(o => o.IsData));
        Assert.Equal("2024-01-01T00:01:00+00:00", (await harness.ReadStateAsync())["UpdatedAt"]!.GetValue<string>());
        Assert.Equal(4, (await harness.RowsAsync("items")).Count);
    }

    [Fact]
    public async Task RunAsync_TimeBudgetSpent_PausesAtTheNextCheckpoint()
    {
        await using var harness = new ConnectorHarness("items");

        var run = await harness.RunAsync(new SlowItemsConnector(harness.Time), timeBudget: TimeSpan.FromSeconds(90));

        Assert.Equal(RunOutcome.Paused, run.Outcome);
        Assert.Equal(2, harness.Operations.Count(o => o.Kind == OperationKind.Checkpoint));
        Assert.Equal(8, (await harness.RowsAsync("items")).Count);
    }

    [Fact]
    public async Task RunAssert_SecretKeptOut_FindsItBase64EncodedInState()
    {
        await using var harness = new ConnectorHarness("items");
        await harness.SetSecretAsync("api_key", "key-7f3a9c");
        var run = await harness.RunAsync(new SecretInStateConnector());

        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => RunAssert.SecretKeptOutAsync(harness, "key-7f3a9c", run));

        Assert.StartsWith("A secret is in the saved state (base64-encoded): {\"UpdatedAt\":", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Reads a status with the context's HttpClient and items with a RestClient built from the context.</summary>
    [Connector("http_reader")]
    private sealed class HttpReaderConnector : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
            [new TableDefinition("items") { PrimaryKey = ["id"] }];

        public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
        {
            var status = await context.HttpClient.GetStringAsync(new Uri("https://api.test/status"), cancellationToken);
            using var client = new RestClient(context, new RestClientOptions { BaseAddress = new Uri("https://api.test/v1/") });
            await foreach (var item in client.GetRecordsAsync(new RestRequest("items") { RecordsPath = "data" }, cancellationToken: cancellationToken))
            {
                item["status"] = status;
                await context.UpsertAsync("items", item, cancellationToken);
            }

            await context.CheckpointAsync(new { done = true }, cancellationToken);
        }
    }

    /// <summary>The items connector against a source that takes a minute per page.</summary>
    private sealed class SlowItemsConnector(TimeProvider time) : ItemsConnector
    {
        protected override ValueTask SaveAsync(SyncContext context, Cursor cursor, CancellationToken cancellationToken)
        {
            ((Microsoft.Extensions.Time.Testing.FakeTimeProvider)time).Advance(TimeSpan.FromMinutes(1));
            return base.SaveAsync(context, cursor, cancellationToken);
        }
    }

    private sealed class InMemoryApi : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add($"{request.Method} {request.RequestUri}");
            }

            var body = request.RequestUri!.AbsolutePath switch
            {
                "/status" => "green",
                "/v1/items" => """{"data":[{"id":1,"name":"one"},{"id":2,"name":"two"}]}""",
                _ => null,
            };
            return Task.FromResult(body is null
                ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "text/plain") });
        }
    }
}

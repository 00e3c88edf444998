using System.Text.Json.Nodes;
using Tributary.Sdk.Testing;

namespace Acme.Tests;

public sealed class AcmeConnectorTests
{
    private const string ConnectorName = "acme";

    // A page of two items, so three items take two pages and two checkpoints.
    private static Dictionary<string, string> Configuration() => new()
    {
        ["base_url"] = FakeAcmeApi.BaseUrl,
        ["page_size"] = "2",
    };

    [Fact]
    public async Task UpdateAsync_TwoSyncs_LoadsItemsThenOnlyTheChanges()
    {
        var api = new FakeAcmeApi();
        await using var harness = new ConnectorHarness(ConnectorName) { HttpHandler = api };
        await harness.SetSecretAsync("api_key", FakeAcmeApi.ApiKey);

        RunAssert.Succeeded(await harness.RunAsync(new AcmeConnector(), Configuration()));

        var rows = await harness.RowsAsync("items", orderBy: "id");
        Assert.Equal(["anvil", "rocket", "magnet"], rows.Select(r => (string?)r["name"]));
        JsonObject state = await harness.ReadStateAsync();
        Assert.Equal("2024-09-01T10:02:00Z", (string?)state["updated_since"]);

        // At the source, one item changes and one is added; the next sync asks only for what changed since the cursor.
        api.Put(new FakeAcmeApi.Item(2, "rocket skates", 20, "2024-09-01T11:00:00Z"));
        api.Put(new FakeAcmeApi.Item(4, "giant kite", 4, "2024-09-01T11:05:00Z"));
        api.Served.Clear();
        api.UpdatedSince.Clear();
        harness.Time.Advance(TimeSpan.FromHours(1));

        RunAssert.Succeeded(await harness.RunAsync(new AcmeConnector(), Configuration()));

        Assert.Equal("2024-09-01T10:02:00Z", api.UpdatedSince[0]);
        Assert.Equal([3, 2, 4], api.Served);   // item 3 again, as updated_since includes the cursor: an upsert that changes nothing
        rows = await harness.RowsAsync("items", orderBy: "id");
        Assert.Equal(["anvil", "rocket skates", "magnet", "giant kite"], rows.Select(r => (string?)r["name"]));
        Assert.Equal("2024-09-01T11:05:00Z", (string?)(await harness.ReadStateAsync())["updated_since"]);
    }

    [Fact]
    public Task Conformance_AgainstTheFakeApi_Passes() =>
        Conformance.CheckAsync(() => new AcmeConnector(), new ConformanceOptions
        {
            Configuration = Configuration(),
            Secrets = new Dictionary<string, string> { ["api_key"] = FakeAcmeApi.ApiKey },
            HttpHandler = () => new FakeAcmeApi(),
        });
}

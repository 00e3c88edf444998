using Microsoft.AspNetCore.WebUtilities;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Connectors.Toast;
using Xunit;

namespace Tributary.Connectors.Tests.Toast;

public sealed class ToastConnectorTests
{
    private static readonly DateTimeOffset Now = ConnectorHarness.DefaultNow;

    [Fact]
    public async Task UpdateAsync_BackfillThenSecondSync_ReadsThirtyDayWindowsThenOnlyTheNewWindow()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var configuration = Configuration(fake);
        configuration["initialSyncStart"] = "2024-08-06T12:00:00.000Z";   // 40 days before now

        var first = await harness.RunAsync(new ToastConnector(), configuration);

        RunAssert.Succeeded(first);
        var windows = fake.Api.RequestsTo("/orders/v2/ordersBulk").Select(Query).Where(q => q["page"] == "1").Select(q => (q["startDate"], q["endDate"]));
        Assert.Equal(
            [("2024-08-06T12:00:00.000Z", "2024-09-05T12:00:00.000Z"), ("2024-09-05T12:00:00.000Z", "2024-09-15T12:00:00.000Z")],
            windows);
        Assert.Equal(["o0", "o1", "o2", "o3", "o4", "o5"], await IdsAsync(harness, "orders"));
        Assert.Equal(["c-o0", "c-o1", "c-o2", "c-o3", "c-o4", "c-o5"], await IdsAsync(harness, "orders_check"));
        Assert.Equal(6, (await harness.RowsAsync("orders_check_selection", "id")).Count);
        Assert.Equal(6, (await harness.RowsAsync("orders_check_payment", "payment_id")).Count);
        Assert.Equal(["do-1", "do-2", "do-3"], await IdsAsync(harness, "dining_option"));
        Assert.Equal(["emp-1", "emp-2"], await IdsAsync(harness, "employee"));
        Assert.Equal("Harbor Grill", (await harness.RowsAsync("restaurant", "id"))[0]["name"]);
        var order = (await harness.QueryAsync($"SELECT * FROM {harness.Qualified("orders")} WHERE id = 'o1'"))[0];
        Assert.Equal("emp-1", order["server_id"]);
        Assert.Equal("do-1", order["dining_option_guid"]);
        Assert.Equal(ToastFake.Restaurant, order["restaurant_id"]);
        // Two windows, each committed with its end; the page checkpoints in between keep the previous end.
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T12:00:00.000Z"}""", await harness.ReadStateAsync());

        fake.Orders["o2"] = fake.Orders["o2"] with { ModifiedDate = Now.AddMinutes(10), Item = "Lobster roll" };
        fake.Orders["o6"] = new FakeOrder("o6", Now.AddMinutes(20), "Chowder", 9m);
        fake.Api.ClearRequests();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new ToastConnector(), configuration);

        RunAssert.Succeeded(second);
        var bulk = Assert.Single(fake.Api.RequestsTo("/orders/v2/ordersBulk").Select(Query), q => q["page"] == "1");
        Assert.Equal(("2024-09-15T12:00:00.000Z", "2024-09-15T13:00:00.000Z"), (bulk["startDate"], bulk["endDate"]));
        Assert.All(fake.Api.RequestsTo("/config/v2/"), r => Assert.Equal("2024-09-15T12:00:00.000Z", Query(r)["lastModified"]));
        Assert.Equal(2, second.Tables["orders"].Upserts);
        Assert.Equal("Lobster roll", (await harness.QueryAsync($"SELECT display_name FROM {harness.Qualified("orders_check_selection")} WHERE id = 's-o2'"))[0]["display_name"]);
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T13:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_DeletedRecords_AreUpsertedThenSoftDeleted()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Orders["o3"] = fake.Orders["o3"] with { Deleted = true };

        RunAssert.Succeeded(await harness.RunAsync(new ToastConnector(), Configuration(fake)));

        var deleted = await harness.QueryAsync($"SELECT id FROM {harness.Qualified("orders")} WHERE {RunAssert.Deleted}");
        Assert.Equal("o3", Assert.Single(deleted)["id"]);
        var employee = await harness.QueryAsync($"SELECT id FROM {harness.Qualified("employee")} WHERE {RunAssert.Deleted}");
        Assert.Equal("emp-2", Assert.Single(employee)["id"]);
    }

    [Fact]
    public async Task UpdateAsync_ClientSecretRevoked_FailsNamingTheLoginAndKeepsState()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        RunAssert.Succeeded(await harness.RunAsync(new ToastConnector(), Configuration(fake)));
        fake.ClientSecret = "rotated-in-toast-web";
        fake.RevokeTokens();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var run = await harness.RunAsync(new ToastConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("/authentication/v1/authentication/login", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T12:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_TokenRevokedMidSync_LogsInAgainAndFinishes()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.WithStatus(401, """{"status":401,"code":10001,"message":"Authentication failed."}"""), r => r.Path == "/labor/v1/employees");

        var run = await harness.RunAsync(new ToastConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(2, fake.Api.RequestsTo("/authentication/v1/authentication/login").Count);
        Assert.Equal(["emp-1", "emp-2"], await IdsAsync(harness, "employee"));
    }

    [Fact]
    public async Task UpdateAsync_RateLimitedThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.Path == "/orders/v2/ordersBulk" && r.Query["page"] == "2");
        fake.Api.Inject(Fault.Unavailable(), r => r.Path == "/config/v2/diningOptions" && r.Query.ContainsKey("pageToken"));

        var run = await harness.RunAsync(new ToastConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(["o1", "o2", "o3", "o4", "o5"], await IdsAsync(harness, "orders"));
        Assert.Equal(["do-1", "do-2", "do-3"], await IdsAsync(harness, "dining_option"));
        Assert.Equal(2, fake.Api.RequestsTo("/orders/v2/ordersBulk").Count(r => Query(r)["page"] == "2"));
    }

    [Fact]
    public async Task UpdateAsync_MalformedOrdersPage_FailsNamingTheUrlKeepsTheFirstPageAndRerunConverges()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.Malformed(), r => r.Path == "/orders/v2/ordersBulk" && r.Query["page"] == "2");

        var failed = await harness.RunAsync(new ToastConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/orders/v2/ordersBulk?");
        Assert.Contains("page=2", failed.Error, StringComparison.Ordinal);
        Assert.Equal(["o1", "o2"], await IdsAsync(harness, "orders"));
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new ToastConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(["o1", "o2", "o3", "o4", "o5"], await IdsAsync(harness, "orders"));
        Assert.Equal(5, (await harness.RowsAsync("payment", "id")).Count);
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T12:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_ClientSecretAndToken_AppearOnlyWhereToastExpectsThem()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var secret = fake.ClientSecret;

        var run = await harness.RunAsync(new ToastConnector(), Configuration(fake));
        fake.ClientSecret = "revoked";
        fake.RevokeTokens();
        var failed = await harness.RunAsync(new ToastConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        RunAssert.Failed(failed, "401");
        var token = Assert.Single(fake.Api.Requests.Where(r => !r.PathAndQuery.StartsWith("/authentication", StringComparison.Ordinal))
            .Select(r => r.Headers["authorization"]["Bearer ".Length..]).Distinct());
        foreach (var value in new[] { secret, token })
        {
            await RunAssert.SecretKeptOutAsync(harness, value, run, failed);
        }

        Assert.All(fake.Api.Requests, r =>
        {
            var login = r.PathAndQuery.StartsWith("/authentication/", StringComparison.Ordinal);
            Assert.Equal(login && r.Body.Contains("toast-secret", StringComparison.Ordinal), r.ToString().Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(token, (r with { Headers = r.Headers.Where(h => h.Key != "authorization").ToDictionary() }).ToString(), StringComparison.Ordinal);
        });
    }

    private static async Task<ToastFake> StartFakeAsync()
    {
        var fake = await ToastFake.StartAsync();
        // o0 is 35 days old: only a backfill from 40 days back reads it.
        fake.Orders["o0"] = new FakeOrder("o0", Now.AddDays(-35), "Oysters", 18m);
        string[] items = ["Burger", "Fish tacos", "Clam chowder", "Caesar salad", "Crab cake"];
        for (var i = 1; i <= 5; i++)
        {
            fake.Orders[$"o{i}"] = new FakeOrder($"o{i}", Now.AddDays(-6 + i), items[i - 1], 10m + i);
        }

        return fake;
    }

    private static async Task<ConnectorHarness> HarnessAsync(ToastFake fake)
    {
        var harness = new ConnectorHarness("toast");
        await harness.SetSecretAsync("clientSecret", fake.ClientSecret);
        return harness;
    }

    private static Dictionary<string, string> Configuration(ToastFake fake)
    {
        var configuration = SampleConfiguration.Read("Toast");
        configuration["base_url"] = fake.Api.BaseUri.ToString();
        configuration["clientId"] = fake.ClientId;
        configuration["initialSyncStart"] = "2024-09-05T12:00:00.000Z";
        configuration["page_size"] = "2";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task<List<string>> IdsAsync(ConnectorHarness harness, string table) =>
        [.. (await harness.RowsAsync(table, "id")).Select(r => (string)r["id"]!)];

    private static Dictionary<string, string> Query(CapturedRequest request) =>
        QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), request.PathAndQuery).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
}

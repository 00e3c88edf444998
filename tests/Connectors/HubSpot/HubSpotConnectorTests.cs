using Microsoft.AspNetCore.WebUtilities;
using Tributary.Connectors.HubSpot;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.HubSpot;

public sealed class HubSpotConnectorTests
{
    private const string Visited = "e_visited_page";
    private const string Submitted = "e_submitted_form";
    private static readonly DateTimeOffset Now = ConnectorHarness.DefaultNow;

    [Fact]
    public async Task UpdateAsync_FirstSyncThenSecond_ReadsFromTheStartDateThenOnlyTheNewWindow()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);

        var first = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(["v1", "v2", "v3", "v4", "v5"], await IdsAsync(harness, Visited));
        Assert.Equal(["f1"], await IdsAsync(harness, Submitted));
        RunAssert.JsonEqual("""{"start_date": "2024-09-15T12:00:00.000Z"}""", await harness.ReadStateAsync());
        Assert.Equal([null, "Mg==", "NA==", null], fake.Api.Requests.Select(r => Query(r).GetValueOrDefault("after")));
        Assert.All(fake.Api.Requests, r => Assert.Equal("2024-09-01T00:00:00.000Z", Query(r)["occurredAfter"]));
        var row = (await harness.RowsAsync(Visited, "id"))[0];
        Assert.Equal("https://example.com/pricing", row["hs_url"]);
        Assert.Equal("CONTACT", row["object_type"]);

        fake.Add(new FakeEvent("v6", Visited, 7, Now.AddMinutes(10), "https://example.com/new"));
        fake.Api.ClearRequests();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(1, second.Tables[Visited].Upserts);
        Assert.Equal([Visited, Submitted], fake.Api.Requests.Select(r => Query(r)["eventType"]));
        Assert.All(fake.Api.Requests, r =>
        {
            Assert.Equal("2024-09-15T12:00:00.000Z", Query(r)["occurredAfter"]);
            Assert.Equal("2024-09-15T13:00:00.000Z", Query(r)["occurredBefore"]);
        });
        Assert.Equal(["v1", "v2", "v3", "v4", "v5", "v6"], await IdsAsync(harness, Visited));
        RunAssert.JsonEqual("""{"start_date": "2024-09-15T13:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RevokedToken_FailsNamingThe401AndKeepsState()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        RunAssert.Succeeded(await harness.RunAsync(new HubSpotConnector(), Configuration(fake)));
        fake.Token = "pat-na1-rotated";

        var run = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("/events/v3/events/", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual("""{"start_date": "2024-09-15T12:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RateLimitedThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.Query["after"] == "Mg==");
        fake.Api.Inject(Fault.Unavailable(), r => r.Query["eventType"] == Submitted);

        var run = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(["v1", "v2", "v3", "v4", "v5"], await IdsAsync(harness, Visited));
        Assert.Equal(["f1"], await IdsAsync(harness, Submitted));
        Assert.Equal(6, fake.Api.Requests.Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingTheUrlAndTheRerunResumesAtItsCursor()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.Malformed(), r => r.Query["after"] == "Mg==");

        var failed = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/events/v3/events/?");
        Assert.Contains("after=Mg", failed.Error, StringComparison.Ordinal);
        Assert.Equal(["v1", "v2"], await IdsAsync(harness, Visited));
        RunAssert.JsonEqual(
            """{"window": {"occurred_before": "2024-09-15T12:00:00.000Z", "event_type": "e_visited_page", "after": "Mg=="}}""",
            await harness.ReadStateAsync());

        fake.Api.ClearRequests();
        harness.Time.Advance(TimeSpan.FromHours(1));
        var rerun = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        var resumed = Query(fake.Api.Requests[0]);
        Assert.Equal("Mg==", resumed["after"]);
        Assert.All(fake.Api.Requests, r => Assert.Equal("2024-09-15T12:00:00.000Z", Query(r)["occurredBefore"]));
        Assert.Equal(["v1", "v2", "v3", "v4", "v5"], await IdsAsync(harness, Visited));
        Assert.Equal(["f1"], await IdsAsync(harness, Submitted));
        RunAssert.JsonEqual("""{"start_date": "2024-09-15T12:00:00.000Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_Token_AppearsOnlyInTheAuthorizationHeader()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var token = fake.Token;

        var run = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));
        fake.Token = "revoked";
        var failed = await harness.RunAsync(new HubSpotConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        RunAssert.Failed(failed, "401");
        await RunAssert.SecretKeptOutAsync(harness, token, run, failed);
        Assert.All(fake.Api.Requests, r =>
        {
            Assert.Equal($"Bearer {token}", r.Headers["authorization"]);
            Assert.DoesNotContain(token, (r with { Headers = r.Headers.Where(h => h.Key != "authorization").ToDictionary() }).ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task UpdateAsync_EventTypeNotAName_FailsNamingTheKey()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var configuration = Configuration(fake);
        configuration["event_types"] = "e_visited_page,Visited Page";

        var run = await harness.RunAsync(new HubSpotConnector(), configuration);

        RunAssert.Failed(run, "Configuration key 'event_types' lists 'Visited Page'");
        Assert.Empty(fake.Api.Requests);
    }

    private static async Task<HubSpotFake> StartFakeAsync()
    {
        var fake = await HubSpotFake.StartAsync();
        string[] urls = ["pricing", "blog", "docs", "careers", "contact"];
        for (var i = 1; i <= 5; i++)
        {
            fake.Add(new FakeEvent($"v{i}", Visited, 100 + i, Now.AddDays(-12 + (2 * i)), $"https://example.com/{urls[i - 1]}"));
        }

        fake.Add(new FakeEvent("f1", Submitted, 101, Now.AddDays(-3), "https://example.com/contact"));
        // Before initial_sync_start_date: never read.
        fake.Add(new FakeEvent("v0", Visited, 100, new DateTimeOffset(2024, 8, 30, 0, 0, 0, TimeSpan.Zero), "https://example.com/old"));
        return fake;
    }

    private static async Task<ConnectorHarness> HarnessAsync(HubSpotFake fake)
    {
        var harness = new ConnectorHarness("hubspot");
        await harness.SetSecretAsync("api_token", fake.Token);
        return harness;
    }

    private static Dictionary<string, string> Configuration(HubSpotFake fake)
    {
        var configuration = SampleConfiguration.Read("HubSpot");
        configuration["base_url"] = fake.Api.BaseUri.ToString();
        configuration["initial_sync_start_date"] = "2024-09-01T00:00:00.000Z";
        configuration["event_types"] = $"{Visited},{Submitted}";
        configuration["page_size"] = "2";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task<List<string>> IdsAsync(ConnectorHarness harness, string table) =>
        [.. (await harness.RowsAsync(table, "id")).Select(r => (string)r["id"]!)];

    private static Dictionary<string, string> Query(CapturedRequest request) =>
        QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), request.PathAndQuery).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
}

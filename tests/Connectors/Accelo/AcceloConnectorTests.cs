using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Tributary.Connectors.Accelo;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.Accelo;

public sealed class AcceloConnectorTests
{
    private static readonly DateTimeOffset Now = ConnectorHarness.DefaultNow;
    private static readonly string[] Entities = ["companies", "invoices", "payments", "prospects", "jobs", "staff"];
    private static readonly string[] StateKeys = ["last_company_sync", "last_invoice_sync", "last_payment_sync", "last_prospect_sync", "last_job_sync", "last_staff_sync"];

    [Fact]
    public async Task UpdateAsync_FirstSyncThenSecond_ReadsEverythingThenOnlyWhatChanged()
    {
        await using var fake = await StartFakeAsync(companies: 7);
        await using var harness = await HarnessAsync(fake);

        var first = await harness.RunAsync(new AcceloConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], await IdsAsync(harness, "companies"));
        foreach (var entity in Entities.Skip(1))
        {
            Assert.Single(await IdsAsync(harness, entity));
        }

        RunAssert.JsonEqual(State("2024-09-15T12:00:00Z"), await harness.ReadStateAsync());
        Assert.All(fake.Api.RequestsTo("/api/v0/"), r => Assert.EndsWith("_after(0)", Query(r)["_filters"], StringComparison.Ordinal));
        var company = (await harness.RowsAsync("companies", "id"))[0];
        Assert.Equal("Company 1", company["name"]);
        Assert.Equal(new DateTime(2024, 9, 14, 12, 0, 0, DateTimeKind.Utc), ((DateTimeOffset)company["date_modified"]!).UtcDateTime);
        Assert.Equal(true, (await harness.RowsAsync("prospects", "id"))[0]["success"]);
        Assert.Equal(1250.5, Convert.ToDouble((await harness.RowsAsync("invoices", "id"))[0]["amount"], System.Globalization.CultureInfo.InvariantCulture));

        fake.Put("companies", 3, Now.AddMinutes(10), ("name", "Company 3 Pty"), ("status", "2"));
        fake.Api.ClearRequests();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new AcceloConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(1, second.Tables["companies"].Upserts);
        var t0 = Now.ToUnixTimeSeconds();
        Assert.All(fake.Api.RequestsTo("/api/v0/"), r => Assert.EndsWith($"_after({t0})", Query(r)["_filters"], StringComparison.Ordinal));
        Assert.Equal("Company 3 Pty", (await harness.RowsAsync("companies", "id"))[2]["name"]);
        RunAssert.JsonEqual(State("2024-09-15T13:00:00Z"), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_FivePageFetchers_FetchInParallelButNeverPastTheConcurrencyLimit()
    {
        await using var fake = await StartFakeAsync(companies: 40);
        await using var harness = await HarnessAsync(fake);
        var configuration = Configuration(fake);
        configuration["http_max_concurrent_requests"] = "3";

        var run = await harness.RunAsync(new AcceloConnector(), configuration);

        RunAssert.Succeeded(run);
        // 40 companies at 2 a page: 20 pages and an empty 21st at most, five fetchers asking, three let through at once.
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), await IdsAsync(harness, "companies"));
        Assert.InRange(fake.MaxConcurrentRequests("companies"), 2, 3);
        var pages = fake.Api.RequestsTo("/api/v0/companies").Select(r => int.Parse(Query(r)["_page"], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 20), pages.Take(20));
    }

    [Fact]
    public async Task UpdateAsync_ClientSecretRevoked_FailsNamingTheTokenEndpointAndKeepsState()
    {
        await using var fake = await StartFakeAsync(companies: 3);
        await using var harness = await HarnessAsync(fake);
        RunAssert.Succeeded(await harness.RunAsync(new AcceloConnector(), Configuration(fake)));
        fake.ClientSecret = "rotated-in-accelo";
        fake.RevokeTokens();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var run = await harness.RunAsync(new AcceloConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("oauth2/v0/token", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(State("2024-09-15T12:00:00Z"), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RateLimitedThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var fake = await StartFakeAsync(companies: 7);
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.Path == "/api/v0/companies" && r.Query["_page"] == "1");
        fake.Api.Inject(Fault.Unavailable(), r => r.Path == "/api/v0/staff");

        var run = await harness.RunAsync(new AcceloConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], await IdsAsync(harness, "companies"));
        Assert.Single(await IdsAsync(harness, "staff"));
        Assert.Equal(2, fake.Api.RequestsTo("/api/v0/companies").Count(r => Query(r)["_page"] == "1"));
        Assert.Equal(2, fake.Api.RequestsTo("/api/v0/staff").Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedThirdPage_FailsNamingTheUrlKeepsCheckpointedRowsAndRerunConverges()
    {
        await using var fake = await StartFakeAsync(companies: 7);
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.Malformed(), r => r.Path == "/api/v0/companies" && r.Query["_page"] == "2");

        var failed = await harness.RunAsync(new AcceloConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/api/v0/companies?");
        Assert.Contains("_page=2", failed.Error, StringComparison.Ordinal);
        // Pages 0 and 1 came first, in order, and were checkpointed every two records.
        Assert.Equal(2, failed.Checkpoints);
        Assert.Equal([1L, 2, 3, 4], await IdsAsync(harness, "companies"));
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new AcceloConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], await IdsAsync(harness, "companies"));
        RunAssert.JsonEqual(State("2024-09-15T12:00:00Z"), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_ClientSecretAndToken_AppearOnlyWhereOAuthPutsThem()
    {
        await using var fake = await StartFakeAsync(companies: 3);
        await using var harness = await HarnessAsync(fake);
        var secret = fake.ClientSecret;
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{fake.ClientId}:{secret}"));

        var run = await harness.RunAsync(new AcceloConnector(), Configuration(fake));
        fake.ClientSecret = "revoked";
        fake.RevokeTokens();
        var failed = await harness.RunAsync(new AcceloConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        RunAssert.Failed(failed, "401");
        var token = Assert.Single(fake.Tokens.Concat(fake.Api.RequestsTo("/api/v0/").Select(r => r.Headers["authorization"]["Bearer ".Length..])).Distinct());
        foreach (var value in new[] { secret, basic, token })
        {
            Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(value, StringComparison.Ordinal));
            Assert.DoesNotContain(value, JsonSerializer.Serialize(run), StringComparison.Ordinal);
            Assert.DoesNotContain(value, JsonSerializer.Serialize(failed), StringComparison.Ordinal);
            Assert.DoesNotContain(value, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        }

        // The secret only inside the token request's Basic credentials; the token only in the resources' Authorization.
        Assert.All(fake.Api.Requests, r =>
        {
            Assert.DoesNotContain(secret, r.ToString(), StringComparison.Ordinal);
            var rest = (r with { Headers = r.Headers.Where(h => h.Key != "authorization").ToDictionary() }).ToString();
            Assert.DoesNotContain(basic, rest, StringComparison.Ordinal);
            Assert.DoesNotContain(token, rest, StringComparison.Ordinal);
        });
        Assert.All(fake.Api.RequestsTo("/oauth2/v0/token"), r => Assert.StartsWith("Basic ", r.Headers["authorization"], StringComparison.Ordinal));
    }

    private static async Task<AcceloFake> StartFakeAsync(int companies)
    {
        var fake = await AcceloFake.StartAsync();
        for (var i = 1; i <= companies; i++)
        {
            fake.Put("companies", i, Now.AddDays(-1).AddMinutes(i - 1), ("name", $"Company {i}"), ("website", $"https://c{i}.example"), ("standing", "active"), ("status", "1"));
        }

        fake.Put("invoices", 1, Now.AddDays(-2), ("subject", "Retainer"), ("amount", "1250.50"), ("against_type", "company"), ("against_id", "1"), ("tax", "125.05"));
        fake.Put("payments", 1, Now.AddDays(-2), ("amount", "1250.50"), ("against_type", "invoice"), ("against_id", "1"), ("direction", "in"));
        fake.Put("prospects", 1, Now.AddDays(-3), ("title", "Website rebuild"), ("success", "yes"), ("value", "20000"), ("progress", "0.5"));
        fake.Put("jobs", 1, Now.AddDays(-3), ("title", "Website rebuild"), ("company", "1"), ("value", "20000"));
        fake.Put("staff", 1, Now.AddDays(-30), ("firstname", "Ada"), ("surname", "Lovelace"), ("email", "ada@acme.example"));
        return fake;
    }

    private static async Task<ConnectorHarness> HarnessAsync(AcceloFake fake)
    {
        var harness = new ConnectorHarness("accelo");
        await harness.SetSecretAsync("client_secret", fake.ClientSecret);
        return harness;
    }

    private static Dictionary<string, string> Configuration(AcceloFake fake)
    {
        var configuration = SampleConfiguration.Read("Accelo");
        configuration["base_url"] = fake.Api.BaseUri.ToString();
        configuration["client_id"] = fake.ClientId;
        configuration["page_size"] = "2";
        configuration["checkpoint_interval"] = "2";
        configuration["http_retry_delay_ms"] = "1";
        configuration["http_requests_per_second"] = "1000";
        return configuration;
    }

    private static string State(string time) => JsonSerializer.Serialize(StateKeys.ToDictionary(k => k, _ => time));

    private static async Task<List<long>> IdsAsync(ConnectorHarness harness, string table) =>
        [.. (await harness.RowsAsync(table, "id")).Select(r => Convert.ToInt64(r["id"], System.Globalization.CultureInfo.InvariantCulture))];

    private static Dictionary<string, string> Query(CapturedRequest request) =>
        QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), request.PathAndQuery).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
}

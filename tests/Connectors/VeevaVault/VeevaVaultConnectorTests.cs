using System.Text.Json;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Connectors.VeevaVault;
using Xunit;

namespace Tributary.Connectors.Tests.VeevaVault;

public sealed class VeevaVaultConnectorTests
{
    private const string Products = "product__v";
    private const string Countries = "country__v";
    private const string InvalidSession = """{"responseStatus":"FAILURE","errors":[{"type":"INVALID_SESSION_ID","message":"Invalid or expired session ID."}]}""";
    private static readonly DateTimeOffset Now = ConnectorHarness.DefaultNow;

    [Fact]
    public async Task UpdateAsync_FirstSyncThenSecond_QueriesEverythingThenOnlyWhatWasModified()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);

        var first = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(["P1", "P2", "P3", "P4", "P5"], await IdsAsync(harness, Products));
        Assert.Equal(["C1", "C2"], await IdsAsync(harness, Countries));
        RunAssert.JsonEqual(
            """{"product__v_cursor": "2024-09-15T12:00:00.000Z", "country__v_cursor": "2024-09-15T12:00:00.000Z"}""",
            await harness.ReadStateAsync());
        var queries = fake.Api.RequestsTo("/api/v24.2/query").Select(r => r.Method + " " + Uri.UnescapeDataString(r.Body.Replace('+', ' '))).ToList();
        Assert.Equal("POST q=SELECT id, name__v, modified_date__v, countries__c FROM product__v PAGESIZE 2", queries[0]);
        Assert.Equal(["GET ", "GET "], queries.Skip(1).Take(2));
        var p1 = (await harness.RowsAsync(Products, "id"))[0];
        Assert.Equal("""["US","DE"]""", p1["countries__c"]);

        fake.Products["P2"] = fake.Products["P2"] with { Name = "Cholecap XR", ModifiedDate = Now.AddMinutes(10) };
        fake.Products["P6"] = new FakeVaultRecord("P6", "Nyaxa", Now.AddMinutes(20), ["FR"]);
        fake.Api.ClearRequests();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(2, second.Tables[Products].Upserts);
        Assert.Equal(0, second.Tables.GetValueOrDefault(Countries)?.Upserts ?? 0);
        Assert.All(
            fake.Api.RequestsTo("/api/v24.2/query"),
            r => Assert.Contains("WHERE modified_date__v > '2024-09-15T12:00:00.000Z'", Uri.UnescapeDataString(r.Body.Replace('+', ' ')), StringComparison.Ordinal));
        Assert.Equal(["P1", "P2", "P3", "P4", "P5", "P6"], await IdsAsync(harness, Products));
        Assert.Equal("Cholecap XR", (await harness.RowsAsync(Products, "id"))[1]["name__v"]);
        RunAssert.JsonEqual(
            """{"product__v_cursor": "2024-09-15T13:00:00.000Z", "country__v_cursor": "2024-09-15T13:00:00.000Z"}""",
            await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_PasswordChanged_FailsWithVaultsLoginErrorAndKeepsState()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        RunAssert.Succeeded(await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        fake.Password = "rotated-by-the-vault-admin";
        fake.ExpireSessions();

        var run = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        // Vault refuses a login with HTTP 200 and responseStatus FAILURE: the connector still fails, and says why.
        RunAssert.Failed(run, "USERNAME_OR_PASSWORD_INCORRECT");
        Assert.Contains("/api/v24.2/auth", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_SessionExpiresMidSync_LogsInAgainAndFinishes()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        // HTTP 200 with responseStatus FAILURE: how Vault says a session timed out.
        fake.Api.Inject(Fault.WithStatus(200, InvalidSession), r => r.Query["pageoffset"] == "2");

        var run = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(2, fake.Api.RequestsTo("/api/v24.2/auth").Count);
        Assert.Equal(["P1", "P2", "P3", "P4", "P5"], await IdsAsync(harness, Products));
        Assert.Contains(harness.Logs.Lines, line => line.Contains("The Vault session expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpdateAsync_SessionRejectedTwice_FailsNamingInvalidSessionId()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.WithStatus(200, InvalidSession), r => r.Path.Value!.EndsWith("/Objecttype", StringComparison.Ordinal), times: 2);

        var run = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Failed(run, "INVALID_SESSION_ID");
        Assert.Contains("configuration/Objecttype", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        Assert.Single(fake.Api.RequestsTo("/api/v24.2/auth").Skip(1));
    }

    [Fact]
    public async Task UpdateAsync_RateLimitedThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.Query["pageoffset"] == "2");
        // A VQL query is a POST; the connector opts in to retrying it, as it only reads.
        fake.Api.Inject(Fault.Unavailable(), r => r.Method == "POST" && r.Path.Value!.EndsWith("/query", StringComparison.Ordinal));

        var run = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(2, fake.Api.Requests.Count(r => r.PathAndQuery.EndsWith("pageoffset=2", StringComparison.Ordinal)));
        Assert.Equal(3, fake.Api.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/query", StringComparison.Ordinal)));
        Assert.Equal(["P1", "P2", "P3", "P4", "P5"], await IdsAsync(harness, Products));
        Assert.Equal(["C1", "C2"], await IdsAsync(harness, Countries));
    }

    [Fact]
    public async Task UpdateAsync_MalformedNextPage_FailsNamingTheUrlKeepsTheFirstPageAndRerunConverges()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.Malformed(), r => r.Query["pageoffset"] == "2");

        var failed = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/api/v24.2/query/");
        Assert.Contains("pageoffset=2", failed.Error, StringComparison.Ordinal);
        Assert.Equal(["P1", "P2"], await IdsAsync(harness, Products));
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(["P1", "P2", "P3", "P4", "P5"], await IdsAsync(harness, Products));
        Assert.Equal(["C1", "C2"], await IdsAsync(harness, Countries));
    }

    [Fact]
    public async Task UpdateAsync_PasswordAndSessionIds_AppearOnlyWhereVaultExpectsThem()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var password = fake.Password;

        var run = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));
        fake.Password = "changed";
        fake.ExpireSessions();
        var failed = await harness.RunAsync(new VeevaVaultConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        RunAssert.Failed(failed, "USERNAME_OR_PASSWORD_INCORRECT");
        var sessionId = Assert.Single(fake.SessionIds.Concat(fake.Api.Requests.Select(r => r.Headers.GetValueOrDefault("authorization")).OfType<string>()).Distinct());
        foreach (var secret in new[] { password, sessionId })
        {
            Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, JsonSerializer.Serialize(run), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, JsonSerializer.Serialize(failed), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        }

        // The password only in the login form; the session id only in Authorization.
        Assert.All(fake.Api.Requests, r =>
        {
            var isLogin = r.PathAndQuery.EndsWith("/auth", StringComparison.Ordinal);
            Assert.Equal(isLogin && r.Body.Contains("password=Vault", StringComparison.Ordinal), r.ToString().Contains(password, StringComparison.Ordinal));
            var withoutAuthorization = r with { Headers = r.Headers.Where(h => h.Key != "authorization").ToDictionary() };
            Assert.DoesNotContain(sessionId, withoutAuthorization.ToString(), StringComparison.Ordinal);
        });
    }

    private static async Task<VeevaVaultFake> StartFakeAsync()
    {
        var fake = await VeevaVaultFake.StartAsync();
        string[] names = ["Cholecap", "Nyaxa", "Veniplex", "Restolar", "Lipitrol"];
        for (var i = 1; i <= 5; i++)
        {
            fake.Products[$"P{i}"] = new FakeVaultRecord($"P{i}", names[i - 1], Now.AddDays(-6 + i), i == 1 ? ["US", "DE"] : ["US"]);
        }

        fake.Countries["C1"] = new FakeVaultRecord("C1", "United States", Now.AddDays(-30), []);
        fake.Countries["C2"] = new FakeVaultRecord("C2", "Germany", Now.AddDays(-30), []);
        return fake;
    }

    private static async Task<ConnectorHarness> HarnessAsync(VeevaVaultFake fake)
    {
        var harness = new ConnectorHarness("veeva_vault");
        await harness.SetSecretAsync("password", fake.Password);
        return harness;
    }

    private static Dictionary<string, string> Configuration(VeevaVaultFake fake)
    {
        var configuration = SampleConfiguration.Read("VeevaVault");
        configuration["base_url"] = fake.Api.BaseUri.ToString();
        configuration["username"] = fake.UserName;
        configuration["page_size"] = "2";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task<List<string>> IdsAsync(ConnectorHarness harness, string table) =>
        [.. (await harness.RowsAsync(table, "id")).Select(r => (string)r["id"]!)];
}

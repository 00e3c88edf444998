using System.Net;
using Tributary.Azure.Secrets;
using Tributary.Connectors.OAuth2WithTokenRefresh;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.OAuth2WithTokenRefresh;

public sealed class OAuth2WithTokenRefreshConnectorTests
{
    private const string Name = "oauth2_with_token_refresh";
    private const string ContactsAll = "/contacts/v1/lists/all/contacts/all";
    private const string ContactsRecent = "/contacts/v1/lists/recently_updated/contacts/recent";
    private const string CompaniesPaged = "/companies/v2/companies/paged";
    private const string CompaniesRecent = "/companies/v2/companies/recent/modified";

    private static readonly long FirstSyncStart = ConnectorHarness.DefaultNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_RotatesRefreshTokenEachSyncAndReadsOnlyChanges()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        string? storedWhenFirstPageServed = null;
        fake.Served = _ => storedWhenFirstPageServed ??= harness.GetSecretAsync("refresh_token").AsTask().GetAwaiter().GetResult();

        var first = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        // The rotated token was in the store before the access token that came with it was first used.
        Assert.Equal(fake.RefreshTokens[1], storedWhenFirstPageServed);
        Assert.Equal(fake.Crm.ExpectedContacts, await CrmRows.ContactsAsync(harness));
        Assert.Equal(fake.Crm.ExpectedCompanies, await CrmRows.CompaniesAsync(harness));
        Assert.Equal(9, first.Tables["contacts"].Upserts);
        Assert.Equal(7, first.Tables["companies"].Upserts);
        RunAssert.JsonEqual($$"""{"last_updated_at": {{FirstSyncStart}}}""", await harness.ReadStateAsync());
        var token = Assert.Single(fake.Api.RequestsTo(HubSpotFake.TokenPath));
        Assert.Contains("grant_type=refresh_token", token.Body, StringComparison.Ordinal);
        Assert.Contains("refresh_token=" + HubSpotFake.FirstRefreshToken, token.Body, StringComparison.Ordinal);
        Assert.Equal(
            ["?count=4", "?count=4&vidOffset=204", "?count=4&vidOffset=208"],
            fake.Api.RequestsTo(ContactsAll).Select(r => r.PathAndQuery[ContactsAll.Length..]));
        Assert.Equal(
            ["?properties=name&limit=3", "?properties=name&limit=3&offset=9003", "?properties=name&limit=3&offset=9006"],
            fake.Api.RequestsTo(CompaniesPaged).Select(r => r.PathAndQuery[CompaniesPaged.Length..]));
        // Rotated, and written back before use: the store holds the token the server now accepts.
        Assert.Equal(fake.RefreshTokens[1], await harness.GetSecretAsync("refresh_token"));
        Assert.Equal(fake.CurrentRefreshToken, await harness.GetSecretAsync("refresh_token"));

        harness.Time.Advance(TimeSpan.FromDays(1));
        var now = harness.Time.GetUtcNow();
        fake.Crm.MoveContact(203, "Company 9", now);
        fake.Crm.AddContact(211, "Newcomer", now);
        fake.Crm.RenameCompany(9002, "Company Two", now);
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(2, second.Tables["contacts"].Upserts);
        Assert.Equal(1, second.Tables["companies"].Upserts);
        Assert.Empty(fake.Api.RequestsTo(ContactsAll));
        Assert.Empty(fake.Api.RequestsTo(CompaniesPaged));
        Assert.Equal("?count=4", Assert.Single(fake.Api.RequestsTo(ContactsRecent)).PathAndQuery[ContactsRecent.Length..]);
        Assert.Equal($"?since={FirstSyncStart}&count=3", Assert.Single(fake.Api.RequestsTo(CompaniesRecent)).PathAndQuery[CompaniesRecent.Length..]);
        Assert.Contains("refresh_token=" + fake.RefreshTokens[1], Assert.Single(fake.Api.RequestsTo(HubSpotFake.TokenPath)).Body, StringComparison.Ordinal);
        Assert.Equal(fake.RefreshTokens[2], await harness.GetSecretAsync("refresh_token"));
        Assert.Equal(fake.Crm.ExpectedContacts, await CrmRows.ContactsAsync(harness));
        Assert.Equal(fake.Crm.ExpectedCompanies, await CrmRows.CompaniesAsync(harness));
        RunAssert.JsonEqual($$"""{"last_updated_at": {{FirstSyncStart + (long)TimeSpan.FromDays(1).TotalMilliseconds}}}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_OldRefreshTokenPutBack_FailsBecauseTheServerRotatedIt()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        RunAssert.Succeeded(await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        // What a connector that did not write the rotated token back would present on its next sync.
        await harness.SetSecretAsync("refresh_token", HubSpotFake.FirstRefreshToken);

        var run = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Failed(run, HubSpotFake.TokenPath);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_AccessTokenExpiresMidSync_RefreshesAndRotatesAgain()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        fake.Served = request =>
        {
            if (request.Path == ContactsAll && !request.Query.ContainsKey("vidOffset"))
            {
                harness.Time.Advance(HubSpotFake.AccessTokenLifetime);
            }
        };

        var run = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(fake.Crm.ExpectedContacts, await CrmRows.ContactsAsync(harness));
        Assert.Equal(fake.Crm.ExpectedCompanies, await CrmRows.CompaniesAsync(harness));
        Assert.Equal(2, fake.Api.RequestsTo(HubSpotFake.TokenPath).Count);
        Assert.Equal(3, fake.RefreshTokens.Count);
        Assert.Equal(fake.RefreshTokens[2], await harness.GetSecretAsync("refresh_token"));
    }

    [Fact]
    public async Task UpdateAsync_KeyVaultSecretStore_RotatedRefreshTokenLandsInTheVault()
    {
        await using var vault = await FakeKeyVault.StartAsync();
        await using var harness = new ConnectorHarness(Name) { Secrets = new KeyVaultSecretStore(vault.CreateClient()) };
        await harness.SetSecretAsync("client_secret", HubSpotFake.ClientSecret);
        await harness.SetSecretAsync("refresh_token", HubSpotFake.FirstRefreshToken);
        await using var fake = await HubSpotFake.StartAsync(harness.Time);

        var first = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));
        var afterFirst = vault.Get("oauth2-with-token-refresh--refresh-token");
        harness.Time.Advance(TimeSpan.FromHours(1));
        var second = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        RunAssert.Succeeded(second);
        Assert.Equal(fake.RefreshTokens[1], afterFirst);
        Assert.Equal(fake.RefreshTokens[2], vault.Get("oauth2-with-token-refresh--refresh-token"));
        Assert.Equal(fake.CurrentRefreshToken, vault.Get("oauth2-with-token-refresh--refresh-token"));
        Assert.Equal(fake.Crm.ExpectedContacts, await CrmRows.ContactsAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_AppUninstalled_FailsAtTheTokenEndpointAndKeepsStateAndSecret()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        RunAssert.Succeeded(await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        fake.RevokeApp();
        fake.Api.ClearRequests();

        var run = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Failed(run, HubSpotFake.TokenPath);
        Assert.Equal(0, run.Checkpoints);
        Assert.Empty(fake.Api.RequestsTo(ContactsRecent));
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
        Assert.Equal(fake.RefreshTokens[1], await harness.GetSecretAsync("refresh_token"));
    }

    [Fact]
    public async Task UpdateAsync_AccessRefusedAfterRefresh_FailsAfterOneRenewalAndKeepsState()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        RunAssert.Succeeded(await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        fake.RefuseAccessTokens();
        fake.Api.ClearRequests();

        var run = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("credentials", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        Assert.Equal(2, fake.Api.RequestsTo(HubSpotFake.TokenPath).Count);
        Assert.Equal(2, fake.Api.RequestsTo(ContactsRecent).Count);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
        // The renewal rotated the refresh token; the store kept up, so the next sync can still log in.
        Assert.Equal(fake.CurrentRefreshToken, await harness.GetSecretAsync("refresh_token"));
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsEveryRow()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        fake.Api.Inject(Fault.TooManyRequests(1), when: r => r.Path == ContactsAll);
        fake.Api.Inject(Fault.Unavailable(), when: r => r.Path == CompaniesPaged);

        var run = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(fake.Crm.ExpectedContacts, await CrmRows.ContactsAsync(harness));
        Assert.Equal(fake.Crm.ExpectedCompanies, await CrmRows.CompaniesAsync(harness));
        Assert.Equal(4, fake.Api.RequestsTo(ContactsAll).Count);
        Assert.Equal(4, fake.Api.RequestsTo(CompaniesPaged).Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondContactsPage_FailsNamingUrlKeepsFirstPageAndRerunConverges()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        fake.Api.Inject(Fault.Malformed(), when: r => r.Path == ContactsAll && r.Query["vidOffset"] == "204");

        var failed = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Failed(failed, ContactsAll + "?count=4&vidOffset=204");
        Assert.Equal(1, failed.Checkpoints);
        Assert.Equal(fake.Crm.ExpectedContacts.Where(c => c.Vid <= 204), await CrmRows.ContactsAsync(harness));
        Assert.False(await harness.TableExistsAsync("companies") && (await CrmRows.CompaniesAsync(harness)).Count > 0);
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(fake.Crm.ExpectedContacts, await CrmRows.ContactsAsync(harness));
        Assert.Equal(fake.Crm.ExpectedCompanies, await CrmRows.CompaniesAsync(harness));
        RunAssert.JsonEqual($$"""{"last_updated_at": {{FirstSyncStart}}}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_AnyRun_ClientSecretAndTokensOnlyWhereOAuthPutsThem()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await HubSpotFake.StartAsync(harness.Time);
        RunAssert.Succeeded(await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake)));
        fake.Api.Inject(Fault.Malformed(), when: r => r.Path == CompaniesRecent);
        var failed = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));
        fake.RefuseAccessTokens();
        var refused = await harness.RunAsync(new OAuth2WithTokenRefreshConnector(), Configuration(fake));

        RunAssert.Failed(failed, CompaniesRecent);
        RunAssert.Failed(refused, "401");
        var secrets = fake.RefreshTokens.Concat(fake.AccessTokens).Append(HubSpotFake.ClientSecret).ToList();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, failed.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, refused.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        }

        foreach (var request in fake.Api.Requests)
        {
            if (request.PathAndQuery == HubSpotFake.TokenPath)
            {
                // The form body is where the refresh grant carries them; nothing in the headers.
                Assert.Contains("client_secret=" + HubSpotFake.ClientSecret, request.Body, StringComparison.Ordinal);
                Assert.False(request.Headers.ContainsKey("authorization"));
                Assert.DoesNotContain(fake.AccessTokens, t => request.ToString().Contains(t, StringComparison.Ordinal));
            }
            else
            {
                var header = request.Headers["authorization"];
                var withoutHeader = request.ToString().Replace("authorization: " + header, "", StringComparison.Ordinal);
                Assert.DoesNotContain(secrets, s => withoutHeader.Contains(s, StringComparison.Ordinal));
                Assert.DoesNotContain(fake.RefreshTokens.Append(HubSpotFake.ClientSecret), s => header.Contains(s, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task TokenEndpoint_ReusedRefreshToken_IsRefusedLikeARotatingServer()
    {
        await using var fake = await HubSpotFake.StartAsync(TimeProvider.System);
        using var http = new HttpClient { BaseAddress = fake.Api.BaseUri };
        FormUrlEncodedContent Grant(string refreshToken) => new(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = HubSpotFake.ClientId,
            ["client_secret"] = HubSpotFake.ClientSecret,
            ["refresh_token"] = refreshToken,
        });

        using var first = await http.PostAsync(HubSpotFake.TokenPath.TrimStart('/'), Grant(HubSpotFake.FirstRefreshToken));
        using var reused = await http.PostAsync(HubSpotFake.TokenPath.TrimStart('/'), Grant(HubSpotFake.FirstRefreshToken));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Contains("BAD_REFRESH_TOKEN", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void SampleConfiguration_PointsAtHubSpotWithoutSecrets()
    {
        var sample = SampleConfiguration.Read("OAuth2WithTokenRefresh");

        Assert.Equal("https://api.hubapi.com/", sample["base_url"]);
        Assert.Equal("<YOUR_CLIENT_ID>", sample["client_id"]);
        Assert.False(sample.ContainsKey("client_secret") || sample.ContainsKey("refresh_token"), "Secrets never sit in configuration.");
    }

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("client_secret", HubSpotFake.ClientSecret);
        await harness.SetSecretAsync("refresh_token", HubSpotFake.FirstRefreshToken);
        return harness;
    }

    private static Dictionary<string, string> Configuration(HubSpotFake fake) => new()
    {
        ["base_url"] = fake.Api.BaseUri.ToString(),
        ["client_id"] = HubSpotFake.ClientId,
        ["contacts_page_size"] = "4",
        ["companies_page_size"] = "3",
        ["http_retry_delay_ms"] = "1",
    };
}

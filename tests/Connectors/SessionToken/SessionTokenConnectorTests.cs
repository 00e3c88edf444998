using Tributary.Connectors.SessionToken;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.SessionToken;

public sealed class SessionTokenConnectorTests
{
    private const string Name = "session_token";
    private const string DataPath = "/auth/session_token/data";

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_LogsInOnceAndReadsOnlyUsersUpdatedSince()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await StartAsync(harness);
        var sessions = fake.Auth;

        var first = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(12, first.Tables["user"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        await UserTable.AssertMatchesAsync(harness, fake.Users);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-15T11:30:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(1, sessions.Logins);
        var login = Assert.Single(fake.Api.RequestsTo(PlaygroundAuth.LoginPath));
        Assert.Equal("POST", login.Method);
        Assert.False(login.Headers.ContainsKey("authorization"));
        var token = Assert.Single(sessions.Tokens);
        var data = fake.Api.RequestsTo(DataPath);
        Assert.Equal(
            ["/auth/session_token/data?page=1&per_page=5", "/auth/session_token/data?page=2&per_page=5", "/auth/session_token/data?page=3&per_page=5"],
            data.Select(r => r.PathAndQuery));
        Assert.All(data, r => Assert.Equal("Token " + token, r.Headers["authorization"]));

        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Users.Change(updated: 1, added: 1, at: harness.Time.GetUtcNow());
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(3, second.Tables["user"].Upserts);
        Assert.Equal(2, sessions.Logins);
        var request = Assert.Single(fake.Api.RequestsTo(DataPath));
        Assert.Equal("/auth/session_token/data?updated_since=2024-09-15T11%3A30%3A00Z&page=1&per_page=5", request.PathAndQuery);
        await UserTable.AssertMatchesAsync(harness, fake.Users);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-16T12:00:01Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_SessionExpiresMidSync_LogsInAgainAndFinishes()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await StartAsync(harness);
        var sessions = fake.Auth;
        // The first page takes the session's whole life: page 2 arrives with an expired token.
        fake.Served = request =>
        {
            if (request.Query["page"] == "1")
            {
                harness.Time.Advance(PlaygroundAuth.SessionLifetime);
            }
        };

        var run = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        await UserTable.AssertMatchesAsync(harness, fake.Users);
        Assert.Equal(2, sessions.Logins);
        var data = fake.Api.RequestsTo(DataPath);
        Assert.Equal(["1", "2", "2", "3"], data.Select(r => QueryValue(r, "page")));
        var tokens = sessions.Tokens.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Token " + tokens[0], "Token " + tokens[0], "Token " + tokens[1], "Token " + tokens[1]], data.Select(r => r.Headers["authorization"]));
    }

    [Fact]
    public async Task UpdateAsync_PasswordChanged_FailsAtLoginNamingTheRefusalAndKeepsState()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await StartAsync(harness);
        var sessions = fake.Auth;
        RunAssert.Succeeded(await harness.RunAsync(new SessionTokenConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        sessions.PasswordChanged = true;
        fake.Api.ClearRequests();

        var run = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Failed(run, "answered 401 Unauthorized: the source refused the user name 'grace'");
        Assert.Equal(0, run.Checkpoints);
        Assert.Empty(fake.Api.RequestsTo(DataPath));
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_SessionRefusedAfterRenewal_FailsAfterOneNewLoginAndKeepsState()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await StartAsync(harness);
        var sessions = fake.Auth;
        RunAssert.Succeeded(await harness.RunAsync(new SessionTokenConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        sessions.Revoke();
        fake.Api.ClearRequests();

        var run = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("credentials", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        Assert.Equal(3, sessions.Logins);
        Assert.Equal(2, fake.Api.RequestsTo(DataPath).Count);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsEveryUser()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await StartAsync(harness);
        var sessions = fake.Auth;
        fake.Api.Inject(Fault.TooManyRequests(1), when: IsData);
        fake.Api.Inject(Fault.Unavailable(), when: IsData);

        var run = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        await UserTable.AssertMatchesAsync(harness, fake.Users);
        Assert.Equal(5, fake.Api.RequestsTo(DataPath).Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingUrlKeepsFirstPageAndRerunConverges()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await StartAsync(harness);
        var sessions = fake.Auth;
        fake.Api.Inject(Fault.Malformed(), when: r => IsData(r) && r.Query["page"] == "2");

        var failed = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/auth/session_token/data?page=2&per_page=5");
        Assert.Equal(1, failed.Checkpoints);
        await UserTable.AssertMatchesAsync(harness, fake.Users.UpdatedSince(DateTimeOffset.MinValue).Take(5));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-15T04:30:00Z"}""", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        await UserTable.AssertMatchesAsync(harness, fake.Users);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-15T11:30:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_AnyRun_PasswordOnlyInTheLoginBodyTokenOnlyInTheHeader()
    {
        await using var harness = await HarnessAsync();
        await using var fake = await StartAsync(harness);
        var sessions = fake.Auth;
        RunAssert.Succeeded(await harness.RunAsync(new SessionTokenConnector(), Configuration(fake)));
        fake.Api.Inject(Fault.Malformed(), when: r => IsData(r) && r.Query.ContainsKey("updated_since"));
        var failed = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));
        sessions.PasswordChanged = true;
        var refused = await harness.RunAsync(new SessionTokenConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/auth/session_token/data?");
        RunAssert.Failed(refused, "401");
        foreach (var secret in sessions.Tokens.Append(PlaygroundAuth.Password))
        {
            Assert.DoesNotContain(secret, failed.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, refused.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        }

        foreach (var request in fake.Api.Requests)
        {
            var text = request.ToString();
            if (request.PathAndQuery == PlaygroundAuth.LoginPath)
            {
                Assert.Contains($"\"password\":\"{PlaygroundAuth.Password}\"", request.Body, StringComparison.Ordinal);
                Assert.Single(AllIndexes(text, PlaygroundAuth.Password));
            }
            else
            {
                Assert.DoesNotContain(PlaygroundAuth.Password, text, StringComparison.Ordinal);
                var token = request.Headers["authorization"]["Token ".Length..];
                Assert.Single(AllIndexes(text, token));
            }
        }
    }

    [Fact]
    public void SampleConfiguration_PointsAtThePlaygroundWithoutThePassword()
    {
        var sample = SampleConfiguration.Read("SessionToken");

        Assert.Equal("http://127.0.0.1:5001/", sample["base_url"]);
        Assert.Equal("<YOUR_USERNAME>", sample["username"]);
        Assert.False(sample.ContainsKey("password"), "The password is a secret, never configuration.");
    }

    private static bool IsData(Microsoft.AspNetCore.Http.HttpRequest request) => request.Path == DataPath;

    private static string QueryValue(CapturedRequest request, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), request.PathAndQuery).Query)[name].ToString();

    private static IEnumerable<int> AllIndexes(string text, string value)
    {
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            yield return i;
        }
    }

    /// <summary>The playground with 12 users, its sessions on the harness's clock.</summary>
    private static Task<ApiPlaygroundFake> StartAsync(ConnectorHarness harness) =>
        ApiPlaygroundFake.StartAsync(new PlaygroundUsers(12, ConnectorHarness.DefaultNow), time: harness.Time);

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("password", PlaygroundAuth.Password);
        return harness;
    }

    private static Dictionary<string, string> Configuration(ApiPlaygroundFake fake) => new()
    {
        ["base_url"] = fake.Api.BaseUri.ToString(),
        ["username"] = PlaygroundAuth.UserName,
        ["page_size"] = "5",
        ["http_retry_delay_ms"] = "1",
    };
}

using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>
/// The tests every example that reads the playground's users behind a static credential passes (<c>/auth/&lt;scheme&gt;</c>):
/// 12 users, 5 a page, so three pages. A derived class says which connector, which secrets it is given, what else its
/// configuration holds and the <c>Authorization</c> header every request must carry; it keeps only its own extra tests.
/// </summary>
public abstract class AuthenticatedUsersConnectorTests
{
    private const int Users = 12;

    /// <summary>The registered name, which is also the endpoint's last segment: <c>/auth/&lt;scheme&gt;</c>.</summary>
    protected abstract string Scheme { get; }

    /// <summary>The example's folder, for its sample configuration.</summary>
    protected abstract string Folder { get; }

    /// <summary>The secrets the connector reads, by name.</summary>
    protected abstract IReadOnlyDictionary<string, string> Secrets { get; }

    /// <summary>The <c>Authorization</c> header the playground expects on every request.</summary>
    protected abstract string AuthorizationHeader { get; }

    /// <summary>Configuration beyond the base URL, page size and retry delay.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Values the sample configuration must hold besides the playground's base URL.</summary>
    protected virtual IReadOnlyDictionary<string, string> SampleSettings { get; } = new Dictionary<string, string>();

    private string Endpoint => "/auth/" + Scheme;

    protected abstract Connector CreateConnector();

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_ReadsEveryPageThenOnlyUsersUpdatedSince()
    {
        await using var playground = await StartAsync();
        await using var harness = await HarnessAsync();

        var first = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(first);
        Assert.Equal(Users, first.Tables["user"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        await UserTable.AssertMatchesAsync(harness, playground.Users);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-15T11:30:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(
            [$"{Endpoint}?page=1&per_page=5", $"{Endpoint}?page=2&per_page=5", $"{Endpoint}?page=3&per_page=5"],
            playground.Api.Requests.Select(r => r.PathAndQuery));
        Assert.All(playground.Api.Requests, r => Assert.Equal(AuthorizationHeader, r.Headers["authorization"]));

        harness.Time.Advance(TimeSpan.FromDays(1));
        var changed = playground.Users.Change(updated: 1, added: 1, at: harness.Time.GetUtcNow());
        playground.Api.ClearRequests();

        var second = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(second);
        // The newest user of the first sync again (updated in the cursor's second: inclusive), then the two changes.
        Assert.Equal(3, second.Tables["user"].Upserts);
        var request = Assert.Single(playground.Api.Requests);
        Assert.Equal($"{Endpoint}?updated_since=2024-09-15T11%3A30%3A00Z&page=1&per_page=5", request.PathAndQuery);
        Assert.Equal(AuthorizationHeader, request.Headers["authorization"]);
        await UserTable.AssertMatchesAsync(harness, playground.Users);
        var edited = (await harness.RowsAsync("user", "id")).Single(row => (string)row["id"]! == changed[0]);
        Assert.EndsWith(" (edit 1)", (string)edited["name"]!, StringComparison.Ordinal);
        Assert.Equal(Users + 1, playground.Users.Count);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-16T12:00:01Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RevokedCredential_FailsNamingTheRefusalAndKeepsState()
    {
        await using var playground = await StartAsync();
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(CreateConnector(), Configuration(playground)));
        var before = await harness.ReadStateAsync();
        playground.Auth.Revoke();

        var run = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Failed(run, "401");
        Assert.Contains("credentials", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsEveryUser()
    {
        await using var playground = await StartAsync();
        await using var harness = await HarnessAsync();
        playground.Api.Inject(Fault.TooManyRequests(1));
        playground.Api.Inject(Fault.Unavailable());

        var run = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(run);
        await UserTable.AssertMatchesAsync(harness, playground.Users);
        Assert.Equal(5, playground.Api.Requests.Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingUrlKeepsFirstPageAndRerunConverges()
    {
        await using var playground = await StartAsync();
        await using var harness = await HarnessAsync();
        playground.Api.Inject(Fault.Malformed(), when: r => r.Query["page"] == "2");

        var failed = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Failed(failed, $"{Endpoint}?page=2&per_page=5");
        Assert.Equal(1, failed.Checkpoints);
        await UserTable.AssertMatchesAsync(harness, playground.Users.UpdatedSince(DateTimeOffset.MinValue).Take(5));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-15T04:30:00Z"}""", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(rerun);
        await UserTable.AssertMatchesAsync(harness, playground.Users);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-15T11:30:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_AnyRun_SecretAppearsOnlyInTheAuthorizationHeader()
    {
        await using var playground = await StartAsync();
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(CreateConnector(), Configuration(playground)));
        playground.Api.Inject(Fault.Malformed(), when: r => r.Query.ContainsKey("updated_since"));
        var failed = await harness.RunAsync(CreateConnector(), Configuration(playground));
        playground.Auth.Revoke();
        var refused = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Failed(failed, Endpoint + "?");
        RunAssert.Failed(refused, "401");
        foreach (var secret in Secrets.Values.Append(AuthorizationHeader))
        {
            Assert.DoesNotContain(secret, failed.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, refused.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
            Assert.All(playground.Api.Requests, r => Assert.DoesNotContain(
                secret,
                r.ToString().Replace("authorization: " + AuthorizationHeader, "", StringComparison.Ordinal),
                StringComparison.Ordinal));
        }

        Assert.All(playground.Api.Requests, r => Assert.Equal(AuthorizationHeader, r.Headers["authorization"]));
    }

    [Fact]
    public void SampleConfiguration_PointsAtThePlaygroundWithoutSecrets()
    {
        var sample = SampleConfiguration.Read(Folder);

        Assert.Equal("http://127.0.0.1:5001/", sample["base_url"]);
        foreach (var (key, value) in SampleSettings)
        {
            Assert.Equal(value, sample[key]);
        }

        Assert.All(Secrets.Keys, name => Assert.False(sample.ContainsKey(name), $"'{name}' is a secret, never configuration."));
    }

    /// <summary>The playground with 12 users, the newest updated half an hour before the harness's clock starts.</summary>
    private protected static Task<ApiPlaygroundFake> StartAsync() =>
        ApiPlaygroundFake.StartAsync(new PlaygroundUsers(Users, ConnectorHarness.DefaultNow));

    /// <summary>A harness for the connector, holding its secrets.</summary>
    protected async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Scheme);
        foreach (var (name, value) in Secrets)
        {
            await harness.SetSecretAsync(name, value);
        }

        return harness;
    }

    /// <summary>The configuration of a sync against <paramref name="playground"/>: five users a page, retries at once.</summary>
    private protected Dictionary<string, string> Configuration(ApiPlaygroundFake playground)
    {
        var configuration = new Dictionary<string, string>(Settings)
        {
            ["base_url"] = playground.Api.BaseUri.ToString(),
            ["page_size"] = "5",
            ["http_retry_delay_ms"] = "1",
        };
        return configuration;
    }
}

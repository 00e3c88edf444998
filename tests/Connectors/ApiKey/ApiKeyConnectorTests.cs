using Tributary.Connectors.ApiKey;
using Tributary.Connectors.Tests.Playground;
using Tributary.Connectors.Tests.Support;
using Xunit;

namespace Tributary.Connectors.Tests.ApiKey;

public sealed class ApiKeyConnectorTests
{
    private const string Name = "api_key";

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_ReadsEveryPageThenOnlyUsersUpdatedSince()
    {
        await using var fake = await ApiKeyFake.StartAsync();
        await using var harness = await HarnessAsync();

        var first = await harness.RunAsync(new ApiKeyConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(12, first.Tables["user"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T12:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(
            ["/auth/api_key?page=1&per_page=5", "/auth/api_key?page=2&per_page=5", "/auth/api_key?page=3&per_page=5"],
            fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.All(fake.Api.Requests, r => Assert.Equal("apiKey " + ApiKeyFake.Key, r.Headers["authorization"]));

        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Users.Update("u-003", "Manager", harness.Time.GetUtcNow());
        fake.Users.Add(harness.Time.GetUtcNow());
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new ApiKeyConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        // u-012 again (updated in the cursor's second: inclusive), then the two changes.
        Assert.Equal(3, second.Tables["user"].Upserts);
        var request = Assert.Single(fake.Api.Requests);
        Assert.Equal("/auth/api_key?updated_since=2024-09-01T12%3A00%3A00Z&page=1&per_page=5", request.PathAndQuery);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        Assert.Equal("Manager", (await UserRows.ReadAsync(harness))[2].Job);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-16T12:00:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RevokedKey_FailsNamingTheRefusalAndKeepsState()
    {
        await using var fake = await ApiKeyFake.StartAsync();
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(new ApiKeyConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        fake.Revoke();

        var run = await harness.RunAsync(new ApiKeyConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("credentials", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsEveryUser()
    {
        await using var fake = await ApiKeyFake.StartAsync();
        await using var harness = await HarnessAsync();
        fake.Api.Inject(Fault.TooManyRequests(1));
        fake.Api.Inject(Fault.Unavailable());

        var run = await harness.RunAsync(new ApiKeyConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        Assert.Equal(5, fake.Api.Requests.Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingUrlKeepsFirstPageAndRerunConverges()
    {
        await using var fake = await ApiKeyFake.StartAsync();
        await using var harness = await HarnessAsync();
        fake.Api.Inject(Fault.Malformed(), when: r => r.Query["page"] == "2");

        var failed = await harness.RunAsync(new ApiKeyConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/auth/api_key?page=2&per_page=5");
        Assert.Equal(1, failed.Checkpoints);
        Assert.Equal(UserRows.Of(fake.Users.All.Take(5)), await UserRows.ReadAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T05:00:00Z"}""", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new ApiKeyConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T12:00:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_KeyInQuery_KeyAppearsOnlyInTheQueryParameter()
    {
        await using var fake = await ApiKeyFake.StartAsync();
        await using var harness = await HarnessAsync();
        var configuration = Configuration(fake, location: "query");
        RunAssert.Succeeded(await harness.RunAsync(new ApiKeyConnector(), configuration));
        fake.Api.Inject(Fault.Malformed(), when: r => r.Query["page"] == "1");
        var failed = await harness.RunAsync(new ApiKeyConnector(), configuration);

        RunAssert.Failed(failed, "/auth/api_key?");
        Assert.DoesNotContain(ApiKeyFake.Key, failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(ApiKeyFake.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(ApiKeyFake.Key, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        Assert.All(fake.Api.Requests, r =>
        {
            Assert.Contains("api_key=" + ApiKeyFake.Key, r.PathAndQuery, StringComparison.Ordinal);
            Assert.False(r.Headers.ContainsKey("authorization"));
            Assert.DoesNotContain(ApiKeyFake.Key, r.ToString().Replace("api_key=" + ApiKeyFake.Key, "", StringComparison.Ordinal), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task UpdateAsync_UnknownKeyLocation_FailsNamingTheKey()
    {
        await using var fake = await ApiKeyFake.StartAsync();
        await using var harness = await HarnessAsync();

        var run = await harness.RunAsync(new ApiKeyConnector(), Configuration(fake, location: "cookie"));

        RunAssert.Failed(run, "'api_key_location' has value 'cookie'");
        Assert.Empty(fake.Api.Requests);
    }

    [Fact]
    public void SampleConfiguration_PointsAtThePlaygroundWithTheKeyInTheHeader()
    {
        var sample = SampleConfiguration.Read("ApiKey");

        Assert.Equal("http://127.0.0.1:5001/", sample["base_url"]);
        Assert.Equal("header", sample["api_key_location"]);
        Assert.False(sample.ContainsKey("api_key"), "The key is a secret, never configuration.");
    }

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("api_key", ApiKeyFake.Key);
        return harness;
    }

    private static Dictionary<string, string> Configuration(PlaygroundFake fake, string location = "header") => new()
    {
        ["base_url"] = fake.Api.BaseUri.ToString(),
        ["api_key_location"] = location,
        ["page_size"] = "5",
        ["http_retry_delay_ms"] = "1",
    };
}

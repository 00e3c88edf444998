using Tributary.Connectors.HttpBasic;
using Tributary.Connectors.Tests.Playground;
using Tributary.Connectors.Tests.Support;
using Xunit;

namespace Tributary.Connectors.Tests.HttpBasic;

public sealed class HttpBasicConnectorTests
{
    private const string Name = "http_basic";

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_ReadsEveryPageThenOnlyUsersUpdatedSince()
    {
        await using var fake = await HttpBasicFake.StartAsync();
        await using var harness = await HarnessAsync();

        var first = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(12, first.Tables["user"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T12:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(
            ["/auth/http_basic?page=1&per_page=5", "/auth/http_basic?page=2&per_page=5", "/auth/http_basic?page=3&per_page=5"],
            fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.All(fake.Api.Requests, r => Assert.Equal(HttpBasicFake.ExpectedHeader, r.Headers["authorization"]));

        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Users.Update("u-003", "Manager", harness.Time.GetUtcNow());
        fake.Users.Add(harness.Time.GetUtcNow());
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        // u-012 again (updated in the cursor's second: inclusive), then the two changes.
        Assert.Equal(3, second.Tables["user"].Upserts);
        var request = Assert.Single(fake.Api.Requests);
        Assert.Equal("/auth/http_basic?updated_since=2024-09-01T12%3A00%3A00Z&page=1&per_page=5", request.PathAndQuery);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        Assert.Equal("Manager", (await UserRows.ReadAsync(harness))[2].Job);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-16T12:00:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RevokedKey_FailsNamingTheRefusalAndKeepsState()
    {
        await using var fake = await HttpBasicFake.StartAsync();
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(new HttpBasicConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        fake.Revoke();

        var run = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("credentials", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsEveryUser()
    {
        await using var fake = await HttpBasicFake.StartAsync();
        await using var harness = await HarnessAsync();
        fake.Api.Inject(Fault.TooManyRequests(1));
        fake.Api.Inject(Fault.Unavailable());

        var run = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        Assert.Equal(5, fake.Api.Requests.Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingUrlKeepsFirstPageAndRerunConverges()
    {
        await using var fake = await HttpBasicFake.StartAsync();
        await using var harness = await HarnessAsync();
        fake.Api.Inject(Fault.Malformed(), when: r => r.Query["page"] == "2");

        var failed = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/auth/http_basic?page=2&per_page=5");
        Assert.Equal(1, failed.Checkpoints);
        Assert.Equal(UserRows.Of(fake.Users.All.Take(5)), await UserRows.ReadAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T05:00:00Z"}""", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(UserRows.Of(fake.Users.All), await UserRows.ReadAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T12:00:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_AnyRun_SecretAppearsOnlyInTheAuthorizationHeader()
    {
        await using var fake = await HttpBasicFake.StartAsync();
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(new HttpBasicConnector(), Configuration(fake)));
        fake.Api.Inject(Fault.Malformed(), when: r => r.Query.ContainsKey("updated_since"));
        var failed = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));
        fake.Revoke();
        var refused = await harness.RunAsync(new HttpBasicConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/auth/http_basic?");
        RunAssert.Failed(refused, "401");
        var header = HttpBasicFake.ExpectedHeader;
        foreach (var secret in new[] { HttpBasicFake.Password, header })
        {
            Assert.DoesNotContain(secret, failed.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, refused.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
            Assert.All(fake.Api.Requests, r => Assert.DoesNotContain(
                secret,
                r.ToString().Replace("authorization: " + header, "", StringComparison.Ordinal),
                StringComparison.Ordinal));
        }

        Assert.All(fake.Api.Requests, r => Assert.Equal(header, r.Headers["authorization"]));
    }

    [Fact]
    public void SampleConfiguration_PointsAtThePlaygroundWithoutSecrets()
    {
        var sample = SampleConfiguration.Read("HttpBasic");

        Assert.Equal("http://127.0.0.1:5001/", sample["base_url"]);
        Assert.Equal("<YOUR_USERNAME>", sample["username"]);
        Assert.False(sample.ContainsKey("password"), "The password is a secret, never configuration.");
    }

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("password", HttpBasicFake.Password);
        return harness;
    }

    private static Dictionary<string, string> Configuration(PlaygroundFake fake) => new()
    {
        ["base_url"] = fake.Api.BaseUri.ToString(),
        ["username"] = HttpBasicFake.UserName,
        ["page_size"] = "5",
        ["http_retry_delay_ms"] = "1",
    };
}

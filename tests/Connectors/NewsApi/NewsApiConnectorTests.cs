using System.Text.Json;
using Tributary.Connectors.NewsApi;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.NewsApi;

public sealed class NewsApiConnectorTests
{
    private const string Ai = "Artificial Intelligence";
    private static readonly DateTimeOffset Now = ConnectorHarness.DefaultNow;

    [Fact]
    public async Task UpdateAsync_FirstSyncThenSecond_ReadsTheDayThenOnlyTheNewWindow()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);

        var first = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(DayTitles, await TitlesAsync(harness));
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T12:00:00"}""", await harness.ReadStateAsync());
        // Five AI articles at two per page: pages 1-3; Michigan's two fill page 1 and totalResults ends it.
        Assert.Equal(["1", "2", "3", "1"], fake.Api.Requests.Select(r => Query(r)["page"]));
        Assert.All(fake.Api.Requests, r => Assert.Equal("2024-09-14T12:00:00", Query(r)["from"]));
        var types = await harness.ColumnTypesAsync("article");
        Assert.Equal("timestamp with time zone", types["published_at"]);

        fake.Add(new FakeArticle("Wired", "Artificial Intelligence writes news", Now.AddMinutes(30)));
        fake.Add(new FakeArticle("Detroit Free Press", "Michigan wins again", Now.AddMinutes(45)));
        fake.Api.ClearRequests();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(2, second.Tables["article"].Upserts);
        Assert.Equal(2, fake.Api.Requests.Count);
        Assert.All(fake.Api.Requests, r =>
        {
            var query = Query(r);
            Assert.Equal("2024-09-15T12:00:00", query["from"]);
            Assert.Equal("2024-09-15T13:00:00", query["to"]);
            Assert.Equal("publishedAt", query["sortBy"]);
        });
        Assert.Equal([.. DayTitles[..5], "Artificial Intelligence writes news", .. DayTitles[5..], "Michigan wins again"], await TitlesAsync(harness));
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T13:00:00"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RevokedApiKey_FailsNamingThe401AndKeepsState()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        RunAssert.Succeeded(await harness.RunAsync(new NewsApiConnector(), Configuration(fake)));
        fake.ApiKey = "a-new-key-the-connection-does-not-have";
        harness.Time.Advance(TimeSpan.FromHours(1));

        var run = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("/v2/everything", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T12:00:00"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RateLimitedThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.Query["page"] == "2");
        fake.Api.Inject(Fault.Unavailable(), r => r.Query["q"] == "Michigan");

        var run = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(DayTitles, await TitlesAsync(harness));
        Assert.Equal(6, fake.Api.Requests.Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingTheUrlKeepsTheFirstPageAndRerunConverges()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.Malformed(), r => r.Query["page"] == "2");

        var failed = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/v2/everything?");
        Assert.Contains("page=2", failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, failed.Checkpoints);
        Assert.Equal(DayTitles.Take(2), await TitlesAsync(harness));
        // The page's checkpoint kept the window where it was: no to_ts before the first complete sync.
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(DayTitles, await TitlesAsync(harness));
        RunAssert.JsonEqual("""{"to_ts": "2024-09-15T12:00:00"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_ApiKey_AppearsOnlyInTheXApiKeyHeader()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var key = fake.ApiKey;

        var run = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));
        fake.ApiKey = "revoked";
        var failed = await harness.RunAsync(new NewsApiConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        RunAssert.Failed(failed, "401");
        Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(key, JsonSerializer.Serialize(run), StringComparison.Ordinal);
        Assert.DoesNotContain(key, JsonSerializer.Serialize(failed), StringComparison.Ordinal);
        Assert.DoesNotContain(key, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        Assert.All(fake.Api.Requests, r =>
        {
            Assert.Equal(key, r.Headers["x-api-key"]);
            Assert.DoesNotContain(key, (r with { Headers = r.Headers.Where(h => h.Key != "x-api-key").ToDictionary() }).ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task UpdateAsync_TopicNotAJsonArray_FailsNamingTheKey()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var configuration = Configuration(fake);
        configuration["topic"] = "Michigan";

        var run = await harness.RunAsync(new NewsApiConnector(), configuration);

        RunAssert.Failed(run, "Configuration key 'topic' must be a JSON array of strings");
        Assert.Empty(fake.Api.Requests);
    }

    // By title; the AI articles 1 and 2 are the newest, the first page.
    private static readonly string[] DayTitles =
    [
        "Artificial Intelligence 1", "Artificial Intelligence 2", "Artificial Intelligence 3",
        "Artificial Intelligence 4", "Artificial Intelligence 5", "Michigan 1", "Michigan 2",
    ];

    private static async Task<NewsApiFake> StartFakeAsync()
    {
        var fake = await NewsApiFake.StartAsync();
        string[] sources = ["BBC News", "Reuters", "The Verge", "Ars Technica", "TechCrunch"];
        for (var i = 1; i <= 5; i++)
        {
            fake.Add(new FakeArticle(sources[i - 1], $"{Ai} {i}", Now.AddHours(-2 * i), Author: i % 2 == 0 ? null : "A. Writer"));
        }

        fake.Add(new FakeArticle("Detroit News", "Michigan 1", Now.AddHours(-3)));
        fake.Add(new FakeArticle("MLive", "Michigan 2", Now.AddHours(-6)));
        // Published before the first window: never read.
        fake.Add(new FakeArticle("Old Times", $"{Ai} of old", Now.AddDays(-3)));
        return fake;
    }

    private static async Task<ConnectorHarness> HarnessAsync(NewsApiFake fake)
    {
        var harness = new ConnectorHarness("newsapi");
        await harness.SetSecretAsync("api_key", fake.ApiKey);
        return harness;
    }

    private static Dictionary<string, string> Configuration(NewsApiFake fake)
    {
        var configuration = SampleConfiguration.Read("NewsApi");
        configuration["base_url"] = fake.Api.BaseUri.ToString();
        configuration["topic"] = JsonSerializer.Serialize(new[] { Ai, "Michigan" });
        configuration["pageSize"] = "2";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task<List<string>> TitlesAsync(ConnectorHarness harness) =>
        [.. (await harness.QueryAsync($"SELECT title FROM {harness.Qualified("article")} ORDER BY title")).Select(r => (string)r["title"]!)];

    private static Dictionary<string, string> Query(CapturedRequest request) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), request.PathAndQuery).Query)
            .ToDictionary(p => p.Key, p => p.Value.ToString());
}

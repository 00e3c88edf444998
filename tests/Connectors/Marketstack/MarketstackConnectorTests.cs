using Tributary.Connectors.Marketstack;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.Marketstack;

/// <summary>Four tickers, four prices a page (so three pages each), the clock at Sunday 2024-09-15: the first window is
/// 2024-08-31 to 2024-09-15, ten trading days.</summary>
public sealed class MarketstackConnectorTests
{
    private const string AccessKey = "ms-7d3f9c2b41e84a0f";
    private static readonly string[] Tickers = ["AAPL", "MSFT", "GOOG", "INTC"];
    private static readonly DateOnly LastPublished = new(2024, 9, 13);

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalSync_ReadsTheWindowPerTickerThenOnlyTheNewDays()
    {
        await using var marketstack = await MarketstackFake.StartAsync(AccessKey, LastPublished);
        await using var harness = await HarnessAsync();

        var first = await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack));

        RunAssert.Succeeded(first);
        Assert.Equal(40, first.Tables["tickers_price"].Upserts);
        Assert.Equal(4, first.Checkpoints);
        var queries = marketstack.Api.RequestsTo("/v1/eod").Select(RequestQuery.Of).ToList();
        Assert.Equal(
            Tickers.SelectMany(t => new[] { (t, "0"), (t, "4"), (t, "8") }),
            queries.Select(q => (q["symbols"], q["offset"])));
        Assert.All(queries, q =>
        {
            Assert.Equal(("2024-08-31", "2024-09-15", "4"), (q["date_from"], q["date_to"], q["limit"]));
            Assert.Equal(AccessKey, q["access_key"]);
        });
        RunAssert.JsonEqual(
            """{"ticker_offset": 0, "ticker_start_cursor": "2024-09-15", "ticker_end_cursor": "2024-09-15"}""",
            await harness.ReadStateAsync());
        await AssertPricesAsync(harness, marketstack, new DateOnly(2024, 8, 31));

        // Three days later Marketstack has published Monday's and Tuesday's prices.
        harness.Time.Advance(TimeSpan.FromDays(3));
        marketstack.LastDay = new DateOnly(2024, 9, 17);
        marketstack.Api.ClearRequests();

        var second = await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack));

        RunAssert.Succeeded(second);
        var incremental = marketstack.Api.RequestsTo("/v1/eod").Select(RequestQuery.Of).ToList();
        Assert.Equal(Tickers, incremental.Select(q => q["symbols"]));
        Assert.All(incremental, q => Assert.Equal(("2024-09-15", "2024-09-18", "0"), (q["date_from"], q["date_to"], q["offset"])));
        Assert.Equal(8, second.Tables["tickers_price"].Upserts);
        RunAssert.JsonEqual(
            """{"ticker_offset": 0, "ticker_start_cursor": "2024-09-18", "ticker_end_cursor": "2024-09-18"}""",
            await harness.ReadStateAsync());
        await AssertPricesAsync(harness, marketstack, new DateOnly(2024, 8, 31));
    }

    [Fact]
    public async Task UpdateAsync_RevokedAccessKey_FailsAsRefusedCredentialsAndKeepsTheState()
    {
        await using var marketstack = await MarketstackFake.StartAsync(AccessKey, LastPublished);
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack)));
        var before = await harness.ReadStateAsync();
        marketstack.Revoke(AccessKey);
        harness.Time.Advance(TimeSpan.FromDays(1));

        var run = await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack));

        RunAssert.Failed(run, "401");
        Assert.Contains("credentials", run.Error, StringComparison.Ordinal);
        Assert.Contains($"{marketstack.Api.BaseUri.AbsoluteUri}v1/eod?", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessKey, run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
        var refused = Assert.Single(marketstack.Api.RequestsTo("/v1/eod").Skip(12));
        Assert.Equal(AccessKey, RequestQuery.Of(refused)["access_key"]);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var marketstack = await MarketstackFake.StartAsync(AccessKey, LastPublished);
        await using var harness = await HarnessAsync();
        marketstack.Api.Inject(Fault.TooManyRequests(1), r => r.Query["symbols"] == "MSFT" && r.Query["offset"] == "4");
        marketstack.Api.Inject(Fault.Unavailable(), r => r.Query["symbols"] == "GOOG" && r.Query["offset"] == "0");

        var run = await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack));

        RunAssert.Succeeded(run);
        Assert.Equal(14, marketstack.Api.Requests.Count);
        Assert.Equal(40, run.Tables["tickers_price"].Upserts);
        await AssertPricesAsync(harness, marketstack, new DateOnly(2024, 8, 31));
    }

    [Fact]
    public async Task UpdateAsync_MalformedPageOfTheSecondTicker_FailsNamingTheMaskedUrlResumesAtThatTickerAndConverges()
    {
        await using var marketstack = await MarketstackFake.StartAsync(AccessKey, LastPublished);
        await using var harness = await HarnessAsync();
        marketstack.Api.Inject(Fault.Malformed(), r => r.Query["symbols"] == "MSFT" && r.Query["offset"] == "4");

        var failed = await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack));

        RunAssert.Failed(failed, $"{marketstack.Api.BaseUri.AbsoluteUri}v1/eod?");
        Assert.Contains("symbols=MSFT", failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessKey, failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, failed.Checkpoints);
        RunAssert.JsonEqual(
            """{"ticker_offset": 1, "ticker_start_cursor": "2024-08-31", "ticker_end_cursor": "2024-09-15"}""",
            await harness.ReadStateAsync());
        var aapl = await harness.QueryAsync($"SELECT date FROM {harness.Qualified("tickers_price")} WHERE symbol = 'AAPL'");
        Assert.Equal(10, aapl.Count);
        marketstack.Api.ClearRequests();

        var rerun = await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack));

        RunAssert.Succeeded(rerun);
        // The rerun resumes the same window at MSFT: AAPL is not asked for again.
        Assert.Equal(["MSFT", "GOOG", "INTC"], marketstack.Api.Requests.Select(r => RequestQuery.Of(r)["symbols"]).Distinct());
        Assert.All(marketstack.Api.Requests, r => Assert.Equal("2024-08-31", RequestQuery.Of(r)["date_from"]));
        RunAssert.JsonEqual(
            """{"ticker_offset": 0, "ticker_start_cursor": "2024-09-15", "ticker_end_cursor": "2024-09-15"}""",
            await harness.ReadStateAsync());
        await AssertPricesAsync(harness, marketstack, new DateOnly(2024, 8, 31));
    }

    [Fact]
    public async Task UpdateAsync_AnySync_TheAccessKeyAppearsOnlyInTheAccessKeyParameter()
    {
        await using var marketstack = await MarketstackFake.StartAsync(AccessKey, LastPublished);
        await using var harness = await HarnessAsync();
        marketstack.Api.Inject(Fault.Unavailable(), r => r.Query["symbols"] == "GOOG");
        marketstack.Api.Inject(Fault.Malformed(), r => r.Query["symbols"] == "INTC");

        var run = await harness.RunAsync(new MarketstackConnector(), Configuration(marketstack));

        RunAssert.Failed(run, "symbols=INTC");
        Assert.DoesNotContain(AccessKey, run.Error, StringComparison.Ordinal);
        Assert.NotEmpty(harness.Logs.Lines);
        Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(AccessKey, StringComparison.Ordinal));
        Assert.DoesNotContain(AccessKey, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        var runRecords = Directory.EnumerateFiles(harness.FilesDirectory, "*.json", SearchOption.AllDirectories)
            .Where(path => !path.EndsWith("secrets.json", StringComparison.OrdinalIgnoreCase));
        Assert.All(runRecords, path => Assert.DoesNotContain(AccessKey, File.ReadAllText(path), StringComparison.Ordinal));
        Assert.All(marketstack.Api.Requests, request =>
        {
            Assert.Equal(AccessKey, RequestQuery.Of(request)["access_key"]);
            var elsewhere = request.ToString().Replace($"access_key={AccessKey}", "access_key=", StringComparison.Ordinal);
            Assert.DoesNotContain(AccessKey, elsewhere, StringComparison.Ordinal);
        });
    }

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness("marketstack");
        await harness.SetSecretAsync("api_key", AccessKey);
        return harness;
    }

    private static Dictionary<string, string> Configuration(MarketstackFake marketstack)
    {
        var configuration = SampleConfiguration.Read("Marketstack");
        configuration["base_url"] = marketstack.Api.BaseUri.AbsoluteUri + "v1/";
        configuration["page_limit"] = "4";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    /// <summary>The table holds one row per ticker and trading day from <paramref name="from"/> to the last published day.</summary>
    private static async Task AssertPricesAsync(ConnectorHarness harness, MarketstackFake marketstack, DateOnly from)
    {
        var rows = await harness.RowsAsync("tickers_price", "symbol, date");
        var expected = Tickers.Order(StringComparer.Ordinal)
            .SelectMany(t => marketstack.TradingDays(from, marketstack.LastDay).Select(d => (t, MarketstackFake.Timestamp(d))));
        Assert.Equal(expected, rows.Select(r => ((string)r["symbol"]!, (string)r["date"]!)));
        Assert.All(rows, r => Assert.Equal("XNAS", r["exchange"]));
    }
}

using System.Text.Json.Nodes;
using Tributary.Connectors.PriorityFirstSync;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.PriorityFirstSync;

// No credential test and no secret test: the original reads the playground's endpoint without a credential, and the
// connector reads no secret.
public sealed class PriorityFirstSyncConnectorTests
{
    private static readonly DateTimeOffset Now = ConnectorHarness.DefaultNow;

    [Fact]
    public async Task UpdateAsync_FiveSyncs_PriorityWindowFirstThenHistoryBackfilledUnderTheBudget()
    {
        await using var fake = await PfsUsersFake.StartAsync();
        fake.AddHourly(Now.AddDays(-7), Now);
        await using var harness = new ConnectorHarness("priority_first_sync");
        fake.OnRequest = () => harness.Time.Advance(TimeSpan.FromHours(1));   // each request "takes" an hour

        // Sync 1: only the last day.
        var first = await harness.RunAsync(new PriorityFirstSyncConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(24, first.Tables["user"].Upserts);
        Assert.Equal([Now.AddDays(-1)], fake.AskedSince());
        Assert.Equal(Hours(Now.AddDays(-1).AddHours(1), Now), await IdsAsync(harness));
        await AssertStateAsync(harness, incremental: Now, historical: Now.AddDays(-1), isIncremental: false);

        // Sync 2: history, a day a batch; each batch costs two requests (two hours), so a three-hour budget allows two.
        var second = await RunAsync(harness, fake);

        Assert.Equal([Now.AddDays(-2), Now.AddDays(-1), Now.AddDays(-3), Now.AddDays(-2)], fake.AskedSince());
        Assert.Equal(48, second.Tables["user"].Upserts);
        Assert.Equal(Hours(Now.AddDays(-3).AddHours(1), Now), await IdsAsync(harness));
        await AssertStateAsync(harness, incremental: Now, historical: Now.AddDays(-3), isIncremental: true);

        // Sync 3: recent changes only, from the incremental cursor.
        fake.AddHourly(Now.AddHours(1), Now.AddHours(5));
        var third = await RunAsync(harness, fake);

        Assert.Equal([Now], fake.AskedSince());
        Assert.Equal(5, third.Tables["user"].Upserts);
        await AssertStateAsync(harness, incremental: Now.AddHours(5), historical: Now.AddDays(-3), isIncremental: false);

        // Sync 4: the rest of the history, down to the limit five days before the first sync.
        var fourth = await RunAsync(harness, fake);

        Assert.Equal(48, fourth.Tables["user"].Upserts);
        Assert.Equal(Hours(Now.AddDays(-5).AddHours(1), Now.AddHours(5)), await IdsAsync(harness));
        await AssertStateAsync(harness, incremental: Now.AddHours(5), historical: Now.AddDays(-5), isIncremental: true);

        // Sync 5: history complete, so incremental again, and nothing older than the limit was ever asked for.
        var fifth = await RunAsync(harness, fake);

        Assert.Equal([Now.AddHours(5)], fake.AskedSince());
        Assert.Equal(0, fifth.Tables.GetValueOrDefault("user")?.Upserts ?? 0);
        Assert.Equal(Hours(Now.AddDays(-5).AddHours(1), Now.AddHours(5)), await IdsAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndWritesTheSameRows()
    {
        await using var fake = await PfsUsersFake.StartAsync();
        fake.AddHourly(Now.AddDays(-7), Now);
        fake.PageSize = 10;
        fake.Api.Inject(Fault.TooManyRequests(1));
        fake.Api.Inject(Fault.Unavailable(), r => r.QueryString.Value!.Contains("updated_since", StringComparison.Ordinal), times: 1);
        await using var harness = new ConnectorHarness("priority_first_sync");

        var run = await harness.RunAsync(new PriorityFirstSyncConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(Hours(Now.AddDays(-1).AddHours(1), Now), await IdsAsync(harness));
        await AssertStateAsync(harness, incremental: Now, historical: Now.AddDays(-1), isIncremental: false);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondHistoricalBatch_FailsNamingTheUrlKeepsTheFirstBatchAndRerunConverges()
    {
        await using var fake = await PfsUsersFake.StartAsync();
        fake.AddHourly(Now.AddDays(-7), Now);
        await using var harness = new ConnectorHarness("priority_first_sync");
        RunAssert.Succeeded(await harness.RunAsync(new PriorityFirstSyncConnector(), Configuration(fake)));
        var secondBatch = "updated_since=" + Uri.EscapeDataString(PfsUsersFake.Text(Now.AddDays(-3)));
        fake.Api.Inject(Fault.Malformed(), r => r.QueryString.Value!.Contains(secondBatch, StringComparison.Ordinal));
        fake.Api.ClearRequests();

        var failed = await harness.RunAsync(new PriorityFirstSyncConnector(), Configuration(fake));

        RunAssert.Failed(failed, PfsUsersFake.Path + "?" + secondBatch);
        await AssertStateAsync(harness, incremental: Now, historical: Now.AddDays(-2), isIncremental: false);
        Assert.Equal(Hours(Now.AddDays(-2).AddHours(1), Now), await IdsAsync(harness));
        fake.Api.ClearRequests();

        var rerun = await harness.RunAsync(new PriorityFirstSyncConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(Now.AddDays(-3), fake.AskedSince()[0]);
        Assert.Equal(Hours(Now.AddDays(-5).AddHours(1), Now), await IdsAsync(harness));
        await AssertStateAsync(harness, incremental: Now, historical: Now.AddDays(-5), isIncremental: true);
    }

    private static async Task<Tributary.Runtime.State.RunRecord> RunAsync(ConnectorHarness harness, PfsUsersFake fake)
    {
        fake.Api.ClearRequests();
        var run = await harness.RunAsync(new PriorityFirstSyncConnector(), Configuration(fake));
        RunAssert.Succeeded(run);
        return run;
    }

    private static Dictionary<string, string> Configuration(PfsUsersFake fake)
    {
        var configuration = SampleConfiguration.Read("PriorityFirstSync");
        configuration["base_url"] = fake.Api.BaseUri.AbsoluteUri;
        configuration["sync_duration_threshold_minutes"] = "180";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static IEnumerable<string> Hours(DateTimeOffset from, DateTimeOffset to)
    {
        for (var at = from; at <= to; at = at.AddHours(1))
        {
            yield return PfsUsersFake.Id(at);
        }
    }

    private static async Task<IEnumerable<string>> IdsAsync(ConnectorHarness harness) =>
        (await harness.RowsAsync("user", "id")).Select(r => (string)r["id"]!);

    private static async Task AssertStateAsync(ConnectorHarness harness, DateTimeOffset incremental, DateTimeOffset historical, bool isIncremental)
    {
        var expected = new JsonObject
        {
            ["pfs_cursors"] = new JsonObject
            {
                ["user"] = new JsonObject
                {
                    ["incremental_cursor"] = PfsUsersFake.Text(incremental),
                    ["historical_cursor"] = PfsUsersFake.Text(historical),
                    ["historical_limit"] = PfsUsersFake.Text(Now.AddDays(-5)),
                },
                ["is_incremental_sync"] = isIncremental,
            },
        };
        RunAssert.JsonEqual(expected.ToJsonString(), await harness.ReadStateAsync());
    }
}

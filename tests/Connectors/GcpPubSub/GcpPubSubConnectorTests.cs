using System.Security.Cryptography;
using Tributary.Connectors.GcpPubSub;
using Tributary.Sdk.Testing;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.GcpPubSub;

/// <summary>Seven messages on the subscription, three a pull, so batches of 3, 3 and 1; the ack deadline 10 s on the test's clock.</summary>
public sealed class GcpPubSubConnectorTests : IDisposable
{
    private readonly RSA _accountKey = RSA.Create(2048);

    [Fact]
    public async Task UpdateAsync_FirstThenNewMessages_AcknowledgesEachBatchAfterItsCheckpointAndReadsOnlyTheNewOnes()
    {
        await using var harness = new ConnectorHarness("gcp_pub_sub");
        await using var pubsub = await StartAsync(harness);
        var first = pubsub.Publish(7);

        var run = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));

        RunAssert.Succeeded(run);
        Assert.Equal((7, 3), (run.Tables["sample_table"].Upserts, run.Checkpoints));
        Assert.Equal(first.Select(id => $"ack-{id}-1"), pubsub.Acknowledged);
        Assert.Equal(0, pubsub.Unacknowledged);
        Assert.Empty(await harness.ReadStateAsync());
        await AssertMessagesAsync(harness, 7);

        var later = pubsub.Publish(4);
        harness.Time.Advance(TimeSpan.FromHours(1));
        pubsub.Api.ClearRequests();
        var second = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));

        RunAssert.Succeeded(second);
        Assert.Equal(4, second.Tables["sample_table"].Upserts);
        Assert.Equal(later.Select(id => $"ack-{id}-1"), pubsub.Acknowledged.Skip(7));
        Assert.Equal(["/token", ":pull", ":acknowledge", ":pull", ":acknowledge"], pubsub.Api.Requests.Select(r => r.PathAndQuery[r.PathAndQuery.LastIndexOfAny(['/', ':'])..]));
        await AssertMessagesAsync(harness, 11);
    }

    [Fact]
    public async Task UpdateAsync_KeyNotOfTheServiceAccount_FailsAsRefusedByTheTokenEndpointAndAcknowledgesNothing()
    {
        await using var harness = new ConnectorHarness("gcp_pub_sub");
        await using var pubsub = await StartAsync(harness);
        pubsub.Publish(7);
        RunAssert.Succeeded(await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub)));
        var before = await harness.ReadStateAsync();
        pubsub.Publish(2);
        using var otherKey = RSA.Create(2048);
        await harness.SetSecretAsync("service_key", pubsub.KeyFile(otherKey));

        var run = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));

        RunAssert.Failed(run, $"Google's token endpoint {pubsub.TokenUri} refused the service account key of {PubSubFake.ClientEmail}: invalid_grant (Invalid JWT Signature.)");
        Assert.Contains("'service_key'", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
        Assert.Equal(2, pubsub.Unacknowledged);
        Assert.Equal(2, pubsub.Available);
        await AssertMessagesAsync(harness, 7);
    }

    [Fact]
    public async Task UpdateAsync_KilledBeforeTheSecondCheckpoint_TheBatchIsRedeliveredAfterItsAckDeadlineAndTheTableMatchesACleanSync()
    {
        await using var harness = new ConnectorHarness("gcp_pub_sub");
        await using var pubsub = await StartAsync(harness);
        var ids = pubsub.Publish(7);

        // Batch 1 (3 messages) is checkpointed and acknowledged; batch 2 dies at its second message, before its checkpoint.
        var killed = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub), killAfterOperations: 4);

        RunAssert.Failed(killed, "killed after 4 operations");
        Assert.Equal(ids[..3].Select(id => $"ack-{id}-1"), pubsub.Acknowledged);
        Assert.Equal((4, 1), (pubsub.Unacknowledged, pubsub.Available));
        await AssertMessagesAsync(harness, 3);

        // Before the deadline the leased batch is not delivered again: the rerun gets only the seventh message.
        var early = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));
        RunAssert.Succeeded(early);
        Assert.Equal(1, early.Tables["sample_table"].Upserts);
        Assert.Equal(3, pubsub.Unacknowledged);

        harness.Time.Advance(PubSubFake.AckDeadline);
        var rerun = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));

        RunAssert.Succeeded(rerun);
        Assert.Equal(ids[3..6].Select(id => $"ack-{id}-2"), pubsub.Acknowledged.Skip(4));
        Assert.Equal(0, pubsub.Unacknowledged);
        await AssertMessagesAsync(harness, 7);
        await using var clean = new ConnectorHarness("gcp_pub_sub");
        await using var cleanPubsub = await StartAsync(clean);
        cleanPubsub.Publish(7);
        RunAssert.Succeeded(await clean.RunAsync(new GcpPubSubConnector(), Configuration(cleanPubsub)));
        Assert.Equal(await clean.ContentsAsync("sample_table", "key"), await harness.ContentsAsync("sample_table", "key"));
    }

    [Fact]
    public async Task UpdateAsync_TimeBudgetSpentAtTheFirstCheckpoint_AcknowledgesTheCommittedBatchThenPauses()
    {
        await using var harness = new ConnectorHarness("gcp_pub_sub");
        await using var pubsub = await StartAsync(harness);
        var ids = pubsub.Publish(7);
        pubsub.OnPull = () => harness.Time.Advance(TimeSpan.FromSeconds(40));   // a pull "takes" 40 s: past the budget, not its hard deadline (twice it)

        var paused = await RunWithBudgetAsync(harness, Configuration(pubsub), TimeSpan.FromSeconds(30));

        Assert.True(paused.Outcome == RunOutcome.Paused, $"{paused.Outcome}: {paused.Error}");
        Assert.Equal(1, paused.Checkpoints);
        Assert.Equal(ids[..3].Select(id => $"ack-{id}-1"), pubsub.Acknowledged);
        Assert.Equal((4, 4), (pubsub.Unacknowledged, pubsub.Available));
        await AssertMessagesAsync(harness, 3);
        Assert.Contains(harness.Logs.Lines, l => l.Contains("Paused: acknowledged the 3 messages", StringComparison.Ordinal));

        pubsub.OnPull = null;
        var continuation = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));

        RunAssert.Succeeded(continuation);
        Assert.Equal(4, continuation.Tables["sample_table"].Upserts);
        Assert.Equal(ids.Select(id => $"ack-{id}-1"), pubsub.Acknowledged);
        await AssertMessagesAsync(harness, 7);
    }

    [Fact]
    public async Task UpdateAsync_AnySync_TheServiceKeyStaysOutOfLogsRunRecordsAndState()
    {
        await using var harness = new ConnectorHarness("gcp_pub_sub");
        await using var pubsub = await StartAsync(harness);
        pubsub.Publish(4);
        var ok = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));
        using var otherKey = RSA.Create(2048);
        var wrongKey = pubsub.KeyFile(otherKey);
        await harness.SetSecretAsync("service_key", wrongKey);
        var refused = await harness.RunAsync(new GcpPubSubConnector(), Configuration(pubsub));

        RunAssert.Succeeded(ok);
        RunAssert.Failed(refused, "invalid_grant");
        await RunAssert.SecretKeptOutAsync(harness, pubsub.KeyFile(_accountKey), ok, refused);
        await RunAssert.SecretKeptOutAsync(harness, wrongKey, ok, refused);
        var pemLine = _accountKey.ExportPkcs8PrivateKeyPem().Split('\n')[5];
        await RunAssert.SecretKeptOutAsync(harness, pemLine, ok, refused);
        Assert.All(pubsub.Api.Requests, r => Assert.DoesNotContain(pemLine, r.ToString(), StringComparison.Ordinal));
    }

    public void Dispose() => _accountKey.Dispose();

    private async Task<PubSubFake> StartAsync(ConnectorHarness harness)
    {
        var pubsub = await PubSubFake.StartAsync(_accountKey, harness.Time);
        await harness.SetSecretAsync("service_key", pubsub.KeyFile(_accountKey));
        return pubsub;
    }

    private static Dictionary<string, string> Configuration(PubSubFake pubsub)
    {
        var configuration = SampleConfiguration.Read("GcpPubSub");
        configuration["subscription_name"] = PubSubFake.Subscription;
        configuration["max_messages"] = "3";
        configuration["base_url"] = pubsub.Api.BaseUri.AbsoluteUri;
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    // One sync as the harness runs it, with a time budget (the harness runs without one).
    private static async Task<RunRecord> RunWithBudgetAsync(ConnectorHarness harness, Dictionary<string, string> configuration, TimeSpan budget)
    {
        await using var warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = harness.Warehouse.DatabasePath });
        using var loggerFactory = harness.Logs.CreateFactory();
        var runner = new SyncRunner(warehouse, new FileStateStore(harness.FilesDirectory), new SyncRunnerOptions(), harness.Secrets, harness.Time, loggerFactory);
        var request = new SyncRequest(harness.Connection, new GcpPubSubConnector(), new ConnectorConfiguration(configuration)) { TimeBudget = budget };
        return await runner.RunAsync(request, harness.CancellationToken);
    }

    /// <summary>The table holds messages 1 to <paramref name="count"/>, once each, with the original's columns.</summary>
    private static async Task AssertMessagesAsync(ConnectorHarness harness, int count)
    {
        var rows = await harness.RowsAsync("sample_table", "key");
        Assert.Equal(Enumerable.Range(1, count).Select(n => $"Message {n}"), rows.Select(r => (string)r["data"]!));
        Assert.Equal(Enumerable.Range(1, count).Select(n => (9_000_000_000_000L + n).ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => (string)r["key"]!));
        Assert.All(rows, r => Assert.IsType<DateTimeOffset>(r["timestamp"]));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tributary.Azure.Queue;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Functions;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Tests.Functions;

[Collection(AzuriteCollection.Name)]
public sealed class QueueFunctionsTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{

    [Fact]
    public async Task RunSync_PausedRuns_ContinueThroughQueueUntilDone()
    {
        // 40,000 rows, a checkpoint every 2,000 moving the clock 10 s; maxDuration 35 s pauses each run at its 4th checkpoint
        // (8,000 rows): five paused runs, then one that finds nothing left and succeeds.
        using var accepted = await App.CreateClient().PostAsync(
            "/api/connections/paced_synthetic/sync", new StringContent("{\"maxDuration\":\"00:00:35\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var function = App.Function<RunSyncFunction>();
        var messages = new List<RunMessage>();
        while (await App.DequeueAsync() is { } message)
        {
            messages.Add(message);
            await function.Run(QueueMessages.Of(message), CancellationToken.None);
            Assert.True(messages.Count < 20, "the sync does not converge");
        }

        Assert.Equal(["http", "continuation", "continuation", "continuation", "continuation", "continuation"], messages.Select(m => m.Trigger));
        Assert.Equal([0, 1, 2, 3, 4, 5], messages.Select(m => m.Continuation));
        Assert.Single(messages.Select(m => m.SyncId).Distinct());
        using var status = await App.CreateClient().GetAsync(accepted.Headers.Location);
        var runs = (await status.Content.ReadFromJsonAsync<JsonObject>())!["runs"]!.AsArray();
        Assert.Equal(6, runs.Count);
        Assert.Equal(5, runs.Count(r => r!["outcome"]!.GetValue<string>() == "Paused"));
        Assert.Equal(40_000, runs.Sum(r => r!["upserts"]!.GetValue<long>()));
        var warehouse = new LocalWarehouse(Path.Combine(App.Files, "warehouse.db"));
        Assert.Equal((40_000L, 40_000L, 0L), await warehouse.CheckSyntheticAsync("paced_synthetic"));
    }

    [Fact]
    public async Task RunSync_RunsPastHardDeadline_ContinuedUntilFailedForNeverCheckpointing()
    {
        await App.CreateClient().PostAsync("/api/connections/stalling/sync", null);

        var function = App.Function<RunSyncFunction>();
        var triggers = new List<string>();
        while (await App.DequeueAsync() is { } message)
        {
            triggers.Add(message.Trigger);
            await function.Run(QueueMessages.Of(message), CancellationToken.None);
            Assert.True(triggers.Count < 10, "the sync does not end");
        }

        var runs = new List<RunRecord>();
        await foreach (var run in App.Store.ListRunsAsync("stalling", CancellationToken.None))
        {
            runs.Add(run);
        }

        Assert.Equal(["http", "continuation", "continuation"], triggers);
        Assert.Equal([RunOutcome.Failed, RunOutcome.TimedOut, RunOutcome.TimedOut], runs.Select(r => r.Outcome));
        Assert.Contains("checkpoint more often", runs[0].Error, StringComparison.Ordinal);
        Assert.Null((await App.Store.ReadAsync("stalling", CancellationToken.None)).Version);
    }

    [Fact]
    public async Task RunSync_UnknownDestination_OneFailedRecordAndNothingForThePoisonQueue()
    {
        var message = new RunMessage("errors", "timer", "sync-config") { RequestedAt = App.Time.GetUtcNow() };

        // The host retries a message, and at last moves it to the poison queue, only when the function throws: this one returns.
        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);

        var failed = Assert.Single(await RunsAsync("errors"));
        Assert.Equal((RunOutcome.Failed, RunErrorKind.Configuration, "sync-config", "timer"), (failed.Outcome, failed.ErrorKind, failed.SyncId, failed.Trigger));
        Assert.Contains("names destination 'duckbd'", failed.Error, StringComparison.Ordinal);
        Assert.Contains("Known destinations: delta, duckdb, postgres.", failed.Error, StringComparison.Ordinal);
        Assert.Null((await App.Store.ReadAsync("errors", CancellationToken.None)).Version);
        Assert.Null(await App.DequeueAsync());
        Assert.Contains(App.Logs.Lines, line => line.Contains("failed on its configuration and is not retried", StringComparison.Ordinal));
        Assert.DoesNotContain(App.Logs.Lines, line => line.Contains("the queue will retry it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetConnection_FailedRuns_ShowEachRunsErrorKind()
    {
        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(new RunMessage("errors", "timer", "sync-config")), CancellationToken.None);
        await App.Function<PoisonedRunFunction>().Run(QueueMessages.Of(new RunMessage("hello", "timer", "sync-poison")), CancellationToken.None);

        var client = App.CreateClient();
        var configuration = (await client.GetFromJsonAsync<JsonObject>("/api/connections/errors"))!;
        var poisoned = (await client.GetFromJsonAsync<JsonObject>("/api/connections/hello"))!;

        Assert.Equal("Configuration", configuration["runs"]![0]!["errorKind"]!.GetValue<string>());
        Assert.Equal("Fatal", poisoned["runs"]![0]!["errorKind"]!.GetValue<string>());
    }

    [Fact]
    public async Task RecordPoisonedRun_MessageThatFailedEveryAttempt_LeavesFailedRecord()
    {
        var message = new RunMessage("hello", "timer", "sync-poison") { RequestedAt = App.Time.GetUtcNow() };

        await App.Function<PoisonedRunFunction>().Run(QueueMessages.Of(message), CancellationToken.None);

        var failed = Assert.Single(await RunsAsync("hello"));
        Assert.Equal((RunOutcome.Failed, RunErrorKind.Fatal, "sync-poison", "timer"), (failed.Outcome, failed.ErrorKind, failed.SyncId, failed.Trigger));
        Assert.Contains("moved to tributary-runs-poison", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunSync_MalformedMessage_ThrowsFormatExceptionAndPoisonOnlyLogs()
    {
        var body = BinaryData.FromString("{\"connection\":\"hello\"}");

        var error = await Assert.ThrowsAsync<FormatException>(() => App.Function<RunSyncFunction>().Run(QueueMessages.Of(body), CancellationToken.None));
        await App.Function<PoisonedRunFunction>().Run(QueueMessages.Of(body), CancellationToken.None);

        Assert.Contains("needs a connection, a trigger and a syncId", error.Message, StringComparison.Ordinal);
        Assert.Contains(App.Logs.Lines, line => line.Contains("Unreadable message in tributary-runs-poison", StringComparison.Ordinal));
        await foreach (var _ in App.Store.ListRunsAsync("hello", CancellationToken.None))
        {
            Assert.Fail("A run record was written.");
        }
    }

    [Fact]
    public async Task RunSync_UnknownConnection_FailedConfigurationRecordNamingKnownConnections()
    {
        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(new RunMessage("nope", "http", "s1")), CancellationToken.None);

        var failed = Assert.Single(await RunsAsync("nope"));
        Assert.Equal((RunOutcome.Failed, RunErrorKind.Configuration), (failed.Outcome, failed.ErrorKind));
        Assert.Contains("Unknown connection 'nope'. Known connections: errors, hello,", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunSync_Base64Body_IsReadToo()
    {
        var message = new RunMessage("hello", "http", "sync-b64");
        var base64 = BinaryData.FromString(Convert.ToBase64String(message.ToBinaryData().ToArray()));

        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(base64), CancellationToken.None);

        Assert.Equal("1", (await App.Store.ReadAsync("hello", CancellationToken.None)).Version);
    }

    private async Task<List<RunRecord>> RunsAsync(string connector)
    {
        var runs = new List<RunRecord>();
        await foreach (var run in App.Store.ListRunsAsync(connector, CancellationToken.None))
        {
            runs.Add(run);
        }

        return runs;
    }
}

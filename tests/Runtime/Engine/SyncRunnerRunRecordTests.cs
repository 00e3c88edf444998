using System.Text.Json.Nodes;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>Every run leaves a record; failures are reported in it with the connector's own message; one writer at a time.</summary>
public sealed class SyncRunnerRunRecordTests
{
    [Fact]
    public async Task RunAsync_CheckpointsTwoSecondsApart_SavesTheRecordAtTheFirstThenEveryFiveSeconds()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            for (var i = 1; i <= 7; i++)
            {
                await context.UpsertAsync("a", new { id = i }, ct);
                await context.CheckpointAsync(new JsonObject { ["n"] = i }, ct);
                await harness.Store.Written.ReadAsync(ct);   // each committed alone: none is held for the next (see SyncRunnerCheckpointTests)
                harness.Time.Advance(TimeSpan.FromSeconds(2));
            }
        });

        RunAssert.Succeeded(run);
        Assert.Equal(
            [(RunOutcome.Running, 0), (RunOutcome.Running, 1), (RunOutcome.Running, 4), (RunOutcome.Running, 7), (RunOutcome.Succeeded, 7)],
            harness.Store.RunSaves);
        RunAssert.JsonEqual("""{"n":7}""", (await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task RunAsync_FirstRecordSaveSlow_ConnectorStartsMeanwhileAndLaterSavesFollowIt()
    {
        await using var harness = new EngineHarness();
        var connectorStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = true;
        harness.Store.BeforeRunSave = () =>
        {
            var wait = first ? connectorStarted.Task : Task.CompletedTask;   // the run's first save lasts until the connector runs
            first = false;
            return wait;
        };

        var run = await harness.RunAsync(async (context, ct) =>
        {
            connectorStarted.SetResult();
            await context.UpsertAsync("a", new { id = 1 }, ct);
            await context.CheckpointAsync(new { n = 1 }, ct);
        }).WaitAsync(TimeSpan.FromMinutes(1));   // a connector held back until the save ends would never start

        RunAssert.Succeeded(run);
        Assert.Equal([(RunOutcome.Running, 0), (RunOutcome.Running, 1), (RunOutcome.Succeeded, 1)], harness.Store.RunSaves);
    }

    [Fact]
    public async Task RunAsync_Succeeded_SavesRecordWithOutcomeCountsCheckpointsAndSchemaChanges()
    {
        await using var harness = new EngineHarness();
        var started = harness.Time.GetUtcNow();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("a", new { id = 1, v = 1 }, ct);
                await context.UpsertAsync("a", new { id = 2, v = 2 }, ct);
                await context.UpsertAsync("b", new { x = "y" }, ct);
                harness.Time.Advance(TimeSpan.FromSeconds(30));
                await context.CheckpointAsync(new { cursor = 1 }, ct);
                await context.UpsertAsync("a", new { id = 3, v = 2.5 }, ct);
                await context.DeleteAsync("a", new { id = 1 }, ct);
                await context.CheckpointAsync(new { cursor = 2 }, ct);
            },
            new TableDefinition("a") { PrimaryKey = ["id"] });

        RunAssert.Succeeded(run);
        var saved = Assert.Single(await harness.RunsAsync());
        Assert.Equal(run.Id, saved.Id);
        Assert.Equal(run.Id, saved.SyncId);
        Assert.Equal(EngineHarness.Connector, saved.Connector);
        Assert.Equal("manual", saved.Trigger);
        Assert.Equal(RunOutcome.Succeeded, saved.Outcome);
        Assert.Equal(started, saved.StartedAt);
        Assert.Equal(started.AddSeconds(30), saved.EndedAt);
        Assert.Equal(2, saved.Checkpoints);
        Assert.Equal(started.AddSeconds(30), saved.LastCheckpointAt);
        Assert.True(saved.StateBytes > 0);
        Assert.Equal(3, saved.SchemaChanges);   // create a, create b, widen a.v
        Assert.Equal((3L, 1L), (saved.Tables["a"].Upserts, saved.Tables["a"].Deletes));
        Assert.Equal(1L, saved.Tables["b"].Upserts);
        Assert.Null(saved.Error);
    }

    [Fact]
    public async Task RunAsync_Progress_ReportedAfterBatches()
    {
        await using var harness = new EngineHarness();
        var reports = new List<RunRecord>();
        var progress = new SynchronousProgress(reports.Add);

        RunAssert.Succeeded(await harness.RunAsync(
            new TestConnector(async (context, ct) =>
            {
                await context.UpsertAsync("a", new { id = 1 }, ct);
                await context.CheckpointAsync(new { }, ct);
            }),
            r => r with { Progress = progress }));

        Assert.NotEmpty(reports);
        Assert.Equal(1, reports[^1].Tables["a"].Upserts);
    }

    [Fact]
    public async Task RunAsync_ConnectorThrows_FailedWithItsMessage()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync((_, _) => throw new InvalidOperationException("The source returned 500 for /orders."));

        Assert.Contains("The source returned 500 for /orders.", RunAssert.Failed(run), StringComparison.Ordinal);
        Assert.Equal(RunOutcome.Failed, Assert.Single(await harness.RunsAsync()).Outcome);
    }

    [Fact]
    public async Task RunAsync_ConnectorThrowsAsynchronously_FailedWithItsMessage()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("a", new { id = 1 }, ct);
            await Task.Yield();
            throw new SourceUnavailableException("Source is down for maintenance.");
        });

        Assert.Contains("Source is down for maintenance.", RunAssert.Failed(run), StringComparison.Ordinal);
        Assert.Equal(RunErrorKind.Transient, run.ErrorKind);
    }

    [Fact]
    public async Task RunAsync_ConfigurationException_MessageKeptAsIs()
    {
        await using var harness = new EngineHarness();
        var configuration = new ConnectorConfiguration([]);

        var run = await harness.RunAsync(
            new TestConnector((context, _) =>
            {
                context.Configuration.GetString("my_key");
                return Task.CompletedTask;
            }),
            configuration: configuration);

        Assert.Equal("Missing required configuration key 'my_key'.", RunAssert.Failed(run));
        Assert.Equal(RunErrorKind.Configuration, run.ErrorKind);
        Assert.Equal(RunErrorKind.Configuration, Assert.Single(await harness.RunsAsync()).ErrorKind);
    }

    [Fact]
    public async Task RunAsync_SchemaThrowsConfigurationException_FailedWithMessageAsIs()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(new TestConnector((_, _) => Task.CompletedTask)
        {
            SchemaFailure = new ConfigurationException("Configuration key 'region' must be one of: eu, us."),
        });

        Assert.Equal("Configuration key 'region' must be one of: eu, us.", RunAssert.Failed(run));
        Assert.Equal(RunErrorKind.Configuration, run.ErrorKind);
    }

    [Fact]
    public async Task RunAsync_ConnectorBug_FatalKind()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync((_, _) => throw new InvalidOperationException("A bug in the connector."));

        RunAssert.Failed(run);
        Assert.Equal(RunErrorKind.Fatal, run.ErrorKind);
    }

    [Fact]
    public async Task RunAsync_Succeeded_NoErrorKind()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync((_, _) => Task.CompletedTask);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Null(run.ErrorKind);
    }

    [Fact]
    public async Task RunAsync_CallerHoldsLease_RunsUnderItAndLeavesItHeld()
    {
        await using var harness = new EngineHarness();
        await using var lease = await harness.FileStore.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None);

        var run = await harness.RunAsync(
            new TestConnector(async (context, ct) => await context.CheckpointAsync(new { cursor = 1 }, ct)),
            request => request with { Lease = lease });

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal("1", (await harness.ReadStateAsync()).Version);
        await Assert.ThrowsAsync<ConnectorBusyException>(() => harness.FileStore.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_LeaseHeld_ThrowsConnectorBusyAndRunsNothing()
    {
        await using var harness = new EngineHarness();
        await using var lease = await harness.FileStore.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None);
        var ran = false;

        var ex = await Assert.ThrowsAsync<ConnectorBusyException>(() => harness.RunAsync((_, _) =>
        {
            ran = true;
            return Task.CompletedTask;
        }));

        Assert.Contains(EngineHarness.Connector, ex.Message, StringComparison.Ordinal);
        Assert.False(ran);
        Assert.Empty(await harness.RunsAsync());
    }

    [Fact]
    public async Task RunAsync_AfterRunEnds_LeaseReleased()
    {
        await using var harness = new EngineHarness();
        RunAssert.Succeeded(await harness.RunAsync((_, _) => Task.CompletedTask));

        await using var lease = await harness.FileStore.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None);
        Assert.NotNull(lease);
    }

    [Fact]
    public async Task RunAsync_AfterFailedRun_LeaseReleased()
    {
        await using var harness = new EngineHarness();
        RunAssert.Failed(await harness.RunAsync((_, _) => throw new InvalidOperationException("boom")));

        RunAssert.Succeeded(await harness.RunAsync((_, _) => Task.CompletedTask));
    }

    private sealed class SynchronousProgress(Action<RunRecord> report) : IProgress<RunRecord>
    {
        public void Report(RunRecord value) => report(value);
    }
}

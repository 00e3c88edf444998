using System.Text.Json.Nodes;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>The time budget pauses at a checkpoint; the hard deadline stops a connector that never checkpoints.
/// All time comes from the harness's <c>FakeTimeProvider</c>.</summary>
public sealed class SyncRunnerTimeBudgetTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(10);
    private static readonly TableDefinition Pages = new("pages") { PrimaryKey = ["page"] };

    /// <summary>Five pages, one checkpoint each; the clock jumps past the budget while page <paramref name="slowPage"/> is read.</summary>
    private static TestConnector PagedConnector(EngineHarness harness, int slowPage, List<TimeSpan?>? remaining = null) => new(
        async (context, ct) =>
        {
            var cursor = context.State["cursor"]?.GetValue<int>() ?? 0;
            for (var page = cursor + 1; page <= 5; page++)
            {
                remaining?.Add(context.RemainingTime);
                if (page == slowPage)
                {
                    harness.Time.Advance(Budget + TimeSpan.FromMinutes(1));
                }

                await context.UpsertAsync("pages", new { page }, ct);
                await context.CheckpointAsync(new JsonObject { ["cursor"] = page }, ct);
            }
        },
        Pages);

    [Fact]
    public async Task RunAsync_BudgetSpent_CommitsNextCheckpointThenPauses()
    {
        await using var harness = new EngineHarness();
        var remaining = new List<TimeSpan?>();

        var run = await harness.RunAsync(PagedConnector(harness, slowPage: 2, remaining), r => r with { TimeBudget = Budget });

        Assert.True(run.Outcome == RunOutcome.Paused, $"{run.Outcome}: {run.Error}");
        Assert.Null(run.Error);
        Assert.Equal(2, run.Checkpoints);
        RunAssert.JsonEqual("""{"cursor":2}""", (await harness.ReadStateAsync()).State);
        Assert.Equal([1, 2], harness.Rows("pages").Select(r => (int)r["page"]!));
        Assert.Equal(Budget, remaining[0]);
    }

    [Fact]
    public async Task RunAsync_BudgetSpent_TheCommittedCheckpointThrowsSyncPausedException()
    {
        await using var harness = new EngineHarness();
        Exception? thrown = null;
        var connector = new TestConnector(
            async (context, ct) =>
            {
                await context.UpsertAsync("pages", new { page = 1 }, ct);
                harness.Time.Advance(Budget + TimeSpan.FromMinutes(1));
                try
                {
                    await context.CheckpointAsync(new JsonObject { ["cursor"] = 1 }, ct);
                }
                catch (Exception ex)
                {
                    thrown = ex;
                    throw;
                }
            },
            Pages);

        var run = await harness.RunAsync(connector, r => r with { TimeBudget = Budget });

        Assert.Equal(RunOutcome.Paused, run.Outcome);
        Assert.IsType<SyncPausedException>(thrown);
        RunAssert.JsonEqual("""{"cursor":1}""", (await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task RunAsync_AfterPause_SecondRunContinuesFromState()
    {
        await using var harness = new EngineHarness();
        var first = await harness.RunAsync(PagedConnector(harness, slowPage: 2), r => r with { TimeBudget = Budget });
        Assert.Equal(RunOutcome.Paused, first.Outcome);

        var second = await harness.RunAsync(
            PagedConnector(harness, slowPage: 0),
            r => r with { TimeBudget = Budget, SyncId = first.SyncId, Trigger = "continuation" });

        RunAssert.Succeeded(second);
        Assert.Equal(first.SyncId, second.SyncId);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("continuation", second.Trigger);
        Assert.Equal(3, second.Checkpoints);
        Assert.Equal([1, 2, 3, 4, 5], harness.Rows("pages").Select(r => (int)r["page"]!).Order());
        Assert.Equal(3, second.Tables["pages"].Upserts);
        RunAssert.JsonEqual("""{"cursor":5}""", (await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task RunAsync_NoBudget_RemainingTimeIsNullAndNeverPauses()
    {
        await using var harness = new EngineHarness();
        var remaining = new List<TimeSpan?>();

        var run = await harness.RunAsync(PagedConnector(harness, slowPage: 2, remaining));

        RunAssert.Succeeded(run);
        Assert.All(remaining, Assert.Null);
        Assert.Equal(5, run.Checkpoints);
    }

    /// <summary>Writes a row, then waits on its token without ever checkpointing.</summary>
    private static TestConnector StuckConnector(TaskCompletionSource started) => new(
        async (context, ct) =>
        {
            await context.UpsertAsync("pages", new { page = 99 }, ct);
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        },
        Pages);

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(15);

    /// <summary>Runs <see cref="StuckConnector"/> and moves the clock to its hard deadline once it waits.</summary>
    private static async Task<RunRecord> RunStuckAsync(EngineHarness harness)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = harness.RunAsync(StuckConnector(started), r => r with { TimeBudget = Budget, HardDeadline = Deadline });
        await started.Task;
        harness.Time.Advance(Deadline);
        return await run;
    }

    [Fact]
    public async Task RunAsync_NeverCheckpointsPastHardDeadline_TimedOutStateUnchanged()
    {
        await using var harness = new EngineHarness();
        await harness.FileStore.WriteAsync(EngineHarness.Connector, new JsonObject { ["cursor"] = 1 }, null, CancellationToken.None);

        var run = await RunStuckAsync(harness);

        Assert.True(run.Outcome == RunOutcome.TimedOut, $"{run.Outcome}: {run.Error}");
        Assert.Contains("deadline", run.Error, StringComparison.Ordinal);
        var state = await harness.ReadStateAsync();
        Assert.Equal("1", state.Version);
        RunAssert.JsonEqual("""{"cursor":1}""", state.State);
        Assert.Equal(0, run.Checkpoints);
    }

    [Fact]
    public async Task RunAsync_HardDeadlineSetExplicitly_StopsThere()
    {
        await using var harness = new EngineHarness();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = harness.RunAsync(StuckConnector(started), r => r with { TimeBudget = Budget, HardDeadline = TimeSpan.FromMinutes(30) });
        await started.Task;
        harness.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.False(run.IsCompleted);
        harness.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(RunOutcome.TimedOut, (await run).Outcome);
    }

    [Fact]
    public async Task RunAsync_NoHardDeadlineGiven_DefaultsToTwiceTheBudget()
    {
        await using var harness = new EngineHarness();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = harness.RunAsync(StuckConnector(started), r => r with { TimeBudget = Budget });
        await started.Task;
        harness.Time.Advance((Budget * 2) - TimeSpan.FromSeconds(1));
        Assert.False(run.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(RunOutcome.TimedOut, (await run).Outcome);
    }

    [Fact]
    public async Task RunAsync_MaxRunsWithoutCheckpointReached_FailsSayingCheckpointMoreOften()
    {
        await using var harness = new EngineHarness();
        Assert.Equal(3, harness.Options.MaxRunsWithoutCheckpoint);

        var first = await RunStuckAsync(harness);
        var second = await RunStuckAsync(harness);
        var third = await RunStuckAsync(harness);

        Assert.Equal([RunOutcome.TimedOut, RunOutcome.TimedOut], new[] { first.Outcome, second.Outcome });
        Assert.Contains("checkpoint more often", RunAssert.Failed(third), StringComparison.Ordinal);
        Assert.Null((await harness.ReadStateAsync()).Version);
        Assert.Equal(RunOutcome.Failed, (await harness.RunsAsync())[0].Outcome);
    }

    [Fact]
    public async Task RunAsync_CheckpointingRunBetweenTimeouts_RestartsTheCount()
    {
        await using var harness = new EngineHarness();
        harness.Options.MaxRunsWithoutCheckpoint = 2;

        var first = await RunStuckAsync(harness);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) => await context.CheckpointAsync(new { cursor = 1 }, ct)));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var third = await RunStuckAsync(harness);

        Assert.Equal(RunOutcome.TimedOut, first.Outcome);
        Assert.Equal(RunOutcome.TimedOut, third.Outcome);
    }
}

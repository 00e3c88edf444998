using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>
/// A stop is a stop: however a run ends, its connector's token is cancelled and its task waited for (a bounded grace
/// period) before the lease is released, and whatever a straggling task does afterwards is refused. All time is the
/// harness's fake clock; the tests move it only once the engine waits on it.
/// </summary>
public sealed class SyncRunnerStopTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(7);
    private const string OldSecret = "refresh-OLD-0001";

    private static readonly TableDefinition Pages = new("pages")
    {
        PrimaryKey = ["page"],
        Columns = new Dictionary<string, ColumnType> { ["quantity"] = ColumnType.Int },
    };

    /// <summary>Sets the grace period and gives the connector a secret to rotate.</summary>
    private static InMemorySecretStore Arrange(EngineHarness harness)
    {
        harness.Options.StopGracePeriod = Grace;
        var secrets = new InMemorySecretStore { [EngineHarness.Connector, "refresh_token"] = OldSecret };
        harness.Secrets = secrets;
        return secrets;
    }

    /// <summary>
    /// What a connector that ignores its cancellation does once its run has ended: it tries every call that changes
    /// something, first while the run is stopping, then — when the test lets it — after the run has returned.
    /// </summary>
    private sealed class Straggler
    {
        public TaskCompletionSource Stopping { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<Exception> WhileStopping { get; } = new();

        public ConcurrentQueue<Exception> AfterEnd { get; } = new();

        public int Calls { get; private set; }

        public bool TokenCancelled { get; private set; }

        public async Task KeepGoingAsync(SyncContext context, CancellationToken cancellationToken)
        {
            await EmitAsync(context, 100, WhileStopping);
            Stopping.TrySetResult();
            await Release.Task;   // deaf to its token
            TokenCancelled = cancellationToken.IsCancellationRequested;
            await EmitAsync(context, 200, AfterEnd);
            Finished.TrySetResult();
        }

        private async Task EmitAsync(SyncContext context, int page, ConcurrentQueue<Exception> refusals)
        {
            Func<ValueTask>[] calls =
            [
                () => context.UpsertAsync("pages", new { page }, CancellationToken.None),
                () => context.UpdateAsync("pages", new { page = 1, quantity = page }, CancellationToken.None),
                () => context.DeleteAsync("pages", new { page = 1 }, CancellationToken.None),
                () => context.TruncateAsync("pages", CancellationToken.None),
                () => context.CheckpointAsync(new JsonObject { ["cursor"] = page }, CancellationToken.None),
                () => context.SetSecretAsync("refresh_token", $"refresh-LATE-{page}", CancellationToken.None),
            ];
            foreach (var call in calls)
            {
                Calls++;
                try
                {
                    await call();
                }
                catch (Exception ex)
                {
                    refusals.Enqueue(ex);
                }
            }
        }
    }

    /// <summary>A connector that reaches the given end, then keeps going.</summary>
    private static TestConnector EndingConnector(string end, EngineHarness harness, Straggler straggler, TaskCompletionSource waiting, List<Exception> refusedWhileRunning) => new(
        async (context, ct) =>
        {
            await context.UpsertAsync("pages", new { page = 1 }, ct);
            if (end == "timed out")
            {
                waiting.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);   // never checkpoints
                }
                catch (OperationCanceledException)
                {
                }

                await straggler.KeepGoingAsync(context, ct);
                return;
            }

            await context.CheckpointAsync(new JsonObject { ["cursor"] = 1 }, ct);
            switch (end)
            {
                case "paused":
                    harness.Time.Advance(Budget + TimeSpan.FromMinutes(1));
                    await context.UpsertAsync("pages", new { page = 2 }, ct);
                    break;
                case "failed":
                    await context.UpsertAsync("pages", new { page = 2, quantity = "many" }, ct);
                    break;
                case "lease lost":
                    await harness.Store.Written.ReadAsync(ct);   // checkpoint 1 is committed; then the lease goes
                    harness.Store.LoseLease();
                    try
                    {
                        await context.SetSecretAsync("refresh_token", "refresh-LOST-0002", ct);
                    }
                    catch (ConnectorBusyException ex)
                    {
                        refusedWhileRunning.Add(ex);
                    }

                    await context.UpsertAsync("pages", new { page = 2 }, ct);
                    break;
            }

            try
            {
                await context.CheckpointAsync(new JsonObject { ["cursor"] = 2 }, ct);   // pauses, or never commits
                await Task.Delay(Timeout.Infinite, ct);   // until the run fails
            }
            catch (OperationCanceledException)
            {
            }

            await straggler.KeepGoingAsync(context, ct);
        },
        Pages);

    [Theory]
    [InlineData("paused", RunOutcome.Paused, "", new[] { 1, 2 }, 2)]
    [InlineData("failed", RunOutcome.Failed, "'many'", new[] { 1 }, 1)]
    [InlineData("timed out", RunOutcome.TimedOut, "hard deadline", new int[0], 0)]
    [InlineData("lease lost", RunOutcome.Failed, "was lost", new[] { 1 }, 1)]
    public async Task RunAsync_ConnectorKeepsEmittingAfterItsRunEnded_ChangesNothing(
        string end, RunOutcome outcome, string error, int[] pages, int checkpoints)
    {
        await using var harness = new EngineHarness();
        var secrets = Arrange(harness);
        var straggler = new Straggler();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refusedWhileRunning = new List<Exception>();

        var running = harness.RunAsync(
            EndingConnector(end, harness, straggler, waiting, refusedWhileRunning),
            r => r with { TimeBudget = Budget, HardDeadline = Deadline });
        if (end == "timed out")
        {
            await waiting.Task;
            harness.Time.Advance(Deadline);
        }

        await straggler.Stopping.Task;
        await Task.WhenAny(harness.Time.WaitForTimerAsync(Grace), running);   // the grace period starts, unless the run just returns
        Assert.False(running.IsCompleted, "The run returned before its connector stopped or the grace period passed.");
        harness.Time.Advance(Grace);
        var run = await running;
        straggler.Release.TrySetResult();
        await straggler.Finished.Task;

        // The run: its own end, and a note that its connector did not stop, in the record and the log.
        Assert.True(run.Outcome == outcome, $"{run.Outcome}: {run.Error}");
        Assert.Contains(error, run.Error, StringComparison.Ordinal);
        Assert.Contains("The connector did not stop within 00:00:07 of the run's end", run.Error, StringComparison.Ordinal);
        Assert.Equal(run.Error, (await harness.RunsAsync())[0].Error);
        Assert.Contains(harness.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("did not stop within", StringComparison.Ordinal));

        // Every call after the end was refused; after the run returned, with the run's end named.
        Assert.True(straggler.TokenCancelled);
        Assert.Equal(12, straggler.Calls);
        Assert.Equal(6, straggler.WhileStopping.Count);
        Assert.All(straggler.WhileStopping, e => Assert.True(e is OperationCanceledException or InvalidOperationException, e.ToString()));
        Assert.Equal(6, straggler.AfterEnd.Count);
        Assert.All(straggler.AfterEnd, e => Assert.Contains($"was refused: run {run.Id} of connection '{EngineHarness.Connector}' has ended", Assert.IsType<InvalidOperationException>(e).Message, StringComparison.Ordinal));

        // Nothing changed: rows, state and secret are what the run committed before its end.
        if (pages.Length == 0)
        {
            Assert.Empty(harness.Destination.Batches);
        }
        else
        {
            Assert.Equal(pages, harness.Rows("pages").Select(r => (int)r["page"]!));
            Assert.All(harness.Rows("pages"), r => Assert.Equal(false, r[harness.Options.SystemColumns.Deleted]));
            Assert.All(harness.Rows("pages"), r => Assert.Null(r.GetValueOrDefault("quantity")));
        }

        var state = await harness.ReadStateAsync();
        if (checkpoints == 0)
        {
            Assert.Null(state.Version);
        }
        else
        {
            RunAssert.JsonEqual($$"""{"cursor":{{checkpoints}}}""", state.State);
            Assert.Equal(checkpoints.ToString(System.Globalization.CultureInfo.InvariantCulture), state.Version);
        }

        Assert.Empty(secrets.Writes);
        Assert.Equal(OldSecret, secrets[EngineHarness.Connector, "refresh_token"]);
        if (end == "lease lost")
        {
            Assert.IsType<ConnectorBusyException>(Assert.Single(refusedWhileRunning));
        }
    }

    [Fact]
    public async Task RunAsync_ConnectorStopsWithinGracePeriod_RunWaitsForItHoldingTheLease()
    {
        await using var harness = new EngineHarness();
        Arrange(harness);
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = false;

        var running = harness.RunAsync(
            new TestConnector(
                async (context, ct) =>
                {
                    await context.UpsertAsync("pages", new { page = 1 }, ct);
                    harness.Time.Advance(Budget + TimeSpan.FromMinutes(1));
                    try
                    {
                        await context.CheckpointAsync(new JsonObject { ["cursor"] = 1 }, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        paused.TrySetResult();
                    }

                    await release.Task;   // slow to notice its token, but it does stop
                    stopped = true;
                },
                Pages),
            r => r with { TimeBudget = Budget });
        await paused.Task;
        await Task.WhenAny(harness.Time.WaitForTimerAsync(Grace), running);   // the grace period starts, unless the run just returns

        Assert.False(running.IsCompleted);
        await Assert.ThrowsAsync<ConnectorBusyException>(() => harness.FileStore.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None));
        release.TrySetResult();
        var run = await running;

        Assert.True(stopped);
        Assert.True(run.Outcome == RunOutcome.Paused, $"{run.Outcome}: {run.Error}");
        Assert.Null(run.Error);
        await (await harness.FileStore.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None)).DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_SecretWriteUnderWayWhenRunEnds_RunWaitsForItBeforeReleasingLease()
    {
        await using var harness = new EngineHarness();
        var secrets = Arrange(harness);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        secrets.HoldWrites = hold.Task;
        Task? write = null;

        var running = harness.RunAsync(async (context, ct) =>
        {
            write = context.SetSecretAsync("refresh_token", "refresh-NEW-0002", ct).AsTask();   // not awaited: outlives the update
            await secrets.WriteStarted.Task;
        });
        await Task.WhenAny(harness.Time.WaitForTimerAsync(Grace), running);   // the grace period starts, unless the run just returns

        Assert.False(running.IsCompleted);
        await Assert.ThrowsAsync<ConnectorBusyException>(() => harness.FileStore.AcquireLeaseAsync(EngineHarness.Connector, CancellationToken.None));
        hold.TrySetResult();
        var run = await running;

        RunAssert.Succeeded(run);
        Assert.Null(run.Error);
        await write!;
        Assert.Equal("refresh-NEW-0002", secrets[EngineHarness.Connector, "refresh_token"]);
    }

    [Fact]
    public async Task SetSecretAsync_LeaseLostWhileRunning_RefusedAndNotWritten()
    {
        await using var harness = new EngineHarness();
        var secrets = Arrange(harness);
        Exception? refused = null;

        var run = await harness.RunAsync(async (context, ct) =>
        {
            harness.Store.LoseLease();
            refused = await Record.ExceptionAsync(async () => await context.SetSecretAsync("refresh_token", "refresh-NEW-0002", ct));
        });

        RunAssert.Succeeded(run);
        Assert.Contains("was lost", Assert.IsType<ConnectorBusyException>(refused).Message, StringComparison.Ordinal);
        Assert.Empty(secrets.Writes);
        Assert.Equal(OldSecret, secrets[EngineHarness.Connector, "refresh_token"]);
    }

    [Fact]
    public async Task RunAsync_ContextUsedAfterRunReturned_EveryChangeRefused()
    {
        await using var harness = new EngineHarness();
        var secrets = Arrange(harness);
        SyncContext? kept = null;

        RunAssert.Succeeded(await harness.RunAsync((context, _) =>
        {
            kept = context;
            return Task.CompletedTask;
        }));

        var refusals = new[]
        {
            await Record.ExceptionAsync(async () => await kept!.UpsertAsync("pages", new { page = 1 })),
            await Record.ExceptionAsync(async () => await kept!.CheckpointAsync(new { cursor = 1 })),
            await Record.ExceptionAsync(async () => await kept!.SetSecretAsync("refresh_token", "refresh-NEW-0002")),
        };

        Assert.All(refusals, e => Assert.Contains("has ended", Assert.IsType<InvalidOperationException>(e).Message, StringComparison.Ordinal));
        Assert.Empty(secrets.Writes);
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public void SyncRunnerOptions_StopGracePeriod_DefaultsToFiveSecondsAndIsValidated()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), new SyncRunnerOptions().StopGracePeriod);
        new SyncRunnerOptions { StopGracePeriod = TimeSpan.Zero }.Validate();

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new SyncRunnerOptions { StopGracePeriod = TimeSpan.FromSeconds(-1) }.Validate());
        var endless = Assert.Throws<ArgumentOutOfRangeException>(() => new SyncRunnerOptions { StopGracePeriod = Timeout.InfiniteTimeSpan }.Validate());
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => new SyncRunnerOptions { StopGracePeriod = TimeSpan.FromHours(1) }.Validate());

        Assert.All(new[] { negative, endless, tooLong }, e => Assert.Equal(nameof(SyncRunnerOptions.StopGracePeriod), e.ParamName));
    }
}

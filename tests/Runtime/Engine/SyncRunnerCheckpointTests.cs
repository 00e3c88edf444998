using System.Text.Json.Nodes;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>Checkpoints (the state saved after the rows before it), concurrency and back-pressure, and the limits on state.</summary>
public sealed class SyncRunnerCheckpointTests
{
    [Fact]
    public async Task CheckpointAsync_AfterOperationsOnTwoTables_WritesThemBeforeSavingState()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            for (var i = 0; i < 3; i++)
            {
                await context.UpsertAsync("a", new { id = i }, ct);
            }

            await context.UpsertAsync("b", new { id = 1 }, ct);
            await context.UpsertAsync("b", new { id = 2 }, ct);
            await context.CheckpointAsync(new JsonObject { ["n"] = 1 }, ct);
            await context.UpsertAsync("a", new { id = 10 }, ct);
            await context.CheckpointAsync(new JsonObject { ["n"] = 2 }, ct);
        });

        RunAssert.Succeeded(run);
        var events = harness.Events.Snapshot();
        var firstState = events.ToList().IndexOf("""state {"n":1}""");
        var secondState = events.ToList().IndexOf("""state {"n":2}""");
        Assert.True(firstState >= 0 && secondState > firstState, string.Join(" | ", events));
        Assert.Equal(
            ["write a 3 upserts", "write b 2 upserts"],
            events.Take(firstState).Order(StringComparer.Ordinal));
        Assert.Equal(["write a 1 upsert"], events.Skip(firstState + 1).Take(secondState - firstState - 1));
        Assert.Equal(2, run.Checkpoints);
    }

    [Fact]
    public async Task CheckpointAsync_WhileItsRowsAreStillBeingWritten_ReturnsAndSavesTheStateAfterThem()
    {
        await using var harness = new EngineHarness();
        var (writing, release) = HoldWrites(harness);

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("a", new { id = 1 }, ct);
            await context.CheckpointAsync(new JsonObject { ["n"] = 1 }, ct);   // returns while its row is held in the write
            await writing.Task;
            harness.Events.Add("connector reads on");
            release.TrySetResult();
            await context.UpsertAsync("a", new { id = 2 }, ct);
            await context.CheckpointAsync(new JsonObject { ["n"] = 2 }, ct);
        }).WaitAsync(TimeSpan.FromMinutes(1));   // a checkpoint that waited for its commit would never return

        RunAssert.Succeeded(run);
        Assert.Equal(
            ["connector reads on", "write a 1 upsert", """state {"n":1}""", "write a 1 upsert", """state {"n":2}"""],
            harness.Events.Snapshot());
        Assert.Equal(2, run.Checkpoints);
    }

    [Fact]
    public async Task CheckpointAsync_EveryRowWhileTheWriterIsBusy_HeldAndReplacedSoRowsShareBatchesAndNoStateIsAheadOfThem()
    {
        await using var harness = new EngineHarness();
        harness.Options.QueueCapacity = 1;   // one chunk queued: once checkpoint k + 2 is queued, the consumer has taken in k
        var (writing, release) = HoldWrites(harness);

        const int Checkpoints = 100;
        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("a", new { id = 0 }, ct);
            await context.CheckpointAsync(new JsonObject { ["n"] = 0 }, ct);   // the writer is idle: committed at once
            await writing.Task;   // the writer now holds row 0
            for (var i = 1; i <= Checkpoints; i++)
            {
                await context.UpsertAsync("a", new { id = i }, ct);
                await context.CheckpointAsync(new JsonObject { ["n"] = i }, ct);
            }

            harness.Events.Add("connector done");
            release.TrySetResult();
        }).WaitAsync(TimeSpan.FromMinutes(1));

        RunAssert.Succeeded(run);
        var events = harness.Events.Snapshot();
        Assert.Equal(["connector done", "write a 1 upsert", """state {"n":0}"""], events.Take(3));

        // Checkpoints 1 to 98 were taken in while the writer held row 0, so each replaced the one before it; only those of the
        // last chunks can be committed on their own. Without holding, every checkpoint would be a batch and a state save.
        var saves = events.Skip(3).Where(e => e.StartsWith("state", StringComparison.Ordinal)).ToList();
        Assert.InRange(saves.Count, 1, 3);
        Assert.Equal("""state {"n":100}""", saves[^1]);

        // Each state is saved after the rows it covers: rows 1..n are written before state n.
        var written = 0;
        foreach (var e in events.Skip(3))
        {
            if (e.StartsWith("write a ", StringComparison.Ordinal))
            {
                written += int.Parse(e.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (e.StartsWith("state", StringComparison.Ordinal))
            {
                Assert.True(written >= (int)JsonNode.Parse(e["state ".Length..])!["n"]!, $"{e} was saved after only {written} of its rows: {string.Join(" | ", events)}");
            }
        }

        Assert.Equal(Checkpoints, written);
        Assert.Equal(Checkpoints + 1, run.Checkpoints);   // every checkpoint counts, committed alone or with those after it
        Assert.Equal(Checkpoints + 1, harness.Rows("a").Count);
    }

    [Fact]
    public async Task CheckpointAndWaitAsync_WhileTheWriterIsBusy_ReturnsOnlyOnceItsRowsAreWrittenAndItsStateSaved()
    {
        await using var harness = new EngineHarness();
        var (writing, release) = HoldWrites(harness);

        var returnedAtOnce = true;
        IReadOnlyDictionary<string, object?>[] rowsOnReturn = [];
        JsonObject? stateOnReturn = null;
        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("a", new { id = 0 }, ct);
            await context.CheckpointAsync(new JsonObject { ["n"] = 0 }, ct);
            await writing.Task;   // the writer holds row 0 until released: nothing after it can be committed yet
            await context.UpsertAsync("a", new { id = 1 }, ct);
            var call = context.CheckpointAndWaitAsync(new JsonObject { ["n"] = 1 }, ct).AsTask();
            returnedAtOnce = call.IsCompleted;
            release.TrySetResult();
            await call;
            rowsOnReturn = [.. harness.Rows("a")];
            stateOnReturn = (await harness.ReadStateAsync()).State;
            await context.UpsertAsync("a", new { id = 2 }, ct);   // the sync goes on after the wait
        }).WaitAsync(TimeSpan.FromMinutes(1));

        RunAssert.Succeeded(run);
        Assert.False(returnedAtOnce, "CheckpointAndWaitAsync returned while the rows before it were still unwritten.");
        Assert.Equal([0L, 1L], rowsOnReturn.Select(r => Convert.ToInt64(r["id"], System.Globalization.CultureInfo.InvariantCulture)));
        RunAssert.JsonEqual("""{"n":1}""", stateOnReturn);
        Assert.Equal(3, harness.Rows("a").Count);
    }

    [Fact]
    public async Task CheckpointAndWaitAsync_TheWriteFails_ThrowsSoTheConnectorAcknowledgesNothingAndTheStateStays()
    {
        await using var harness = new EngineHarness();
        harness.Destination.BeforeWrite = (_, _) => throw new InvalidOperationException("warehouse broke");
        Exception? thrown = null;
        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("a", new { id = 0 }, ct);
            try
            {
                await context.CheckpointAndWaitAsync(new JsonObject { ["n"] = 0 }, ct);
            }
            catch (Exception ex)
            {
                thrown = ex;
                throw;
            }

            harness.Events.Add("acknowledged");
        }).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("warehouse broke", run.Error, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(thrown);
        Assert.DoesNotContain("acknowledged", harness.Events.Snapshot());
        Assert.Empty((await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task CheckpointAsync_StateSaved_NextRunReadsIt()
    {
        await using var harness = new EngineHarness();
        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            Assert.Empty(context.State);
            await context.CheckpointAsync(new Dictionary<string, object> { ["cursor"] = "2024-01-01" }, ct);
        }));

        JsonObject? seen = null;
        RunAssert.Succeeded(await harness.RunAsync((context, _) =>
        {
            seen = context.State;
            return Task.CompletedTask;
        }));

        RunAssert.JsonEqual("""{"cursor":"2024-01-01"}""", seen);
    }

    [Fact]
    public async Task CheckpointAsync_StateMutatedAfterCall_SavedAsItWasAtCall()
    {
        await using var harness = new EngineHarness();

        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            var state = new JsonObject { ["cursor"] = 1 };
            var pending = context.CheckpointAsync(state, ct);
            state["cursor"] = 2;
            await pending;
        }));

        RunAssert.JsonEqual("""{"cursor":1}""", (await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task RunAsync_ConnectorEndsWithoutCheckpoint_RowsWrittenStateUnchanged()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) => await context.UpsertAsync("a", new { id = 1 }, ct));

        RunAssert.Succeeded(run);
        Assert.Single(harness.Rows("a"));
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public async Task RunAsync_ConnectorThrowsAfterUpserts_NothingSinceCheckpointWritten()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("a", new { id = 1 }, ct);
            await context.CheckpointAsync(new { cursor = 1 }, ct);
            await context.UpsertAsync("a", new { id = 2 }, ct);
            throw new InvalidOperationException("source broke");
        });

        RunAssert.Failed(run);
        Assert.Equal(1, Assert.Single(harness.Rows("a"))["id"]);
        RunAssert.JsonEqual("""{"cursor":1}""", (await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task RunAsync_FourThreadsUpsertingConcurrently_EveryRowLandsExactlyOnce()
    {
        await using var harness = new EngineHarness();
        harness.Options.BatchSize = 1_000;
        const int Threads = 4;
        const int PerThread = 10_000;

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                var workers = Enumerable.Range(0, Threads).Select(t => Task.Run(
                    async () =>
                    {
                        for (var i = 0; i < PerThread; i++)
                        {
                            await context.UpsertAsync("events", new { id = (t * PerThread) + i, worker = t }, ct);
                        }
                    },
                    ct));
                await Task.WhenAll(workers);
                await context.CheckpointAsync(new { done = true }, ct);
            },
            new TableDefinition("events") { PrimaryKey = ["id"] });

        RunAssert.Succeeded(run);
        Assert.Equal(Threads * PerThread, run.Tables["events"].Upserts);
        var written = harness.Destination.BatchesOf("events").SelectMany(b => b.ValuesOf("id")).Cast<int>().ToList();
        Assert.Equal(Threads * PerThread, written.Count);
        Assert.Equal(Enumerable.Range(0, Threads * PerThread), written.Order());
        Assert.Equal(Threads * PerThread, harness.Rows("events").Count);
        var lastWrite = harness.Events.Snapshot().ToList().FindLastIndex(e => e.StartsWith("write", StringComparison.Ordinal));
        var state = harness.Events.Snapshot().ToList().FindIndex(e => e.StartsWith("state", StringComparison.Ordinal));
        Assert.True(state > lastWrite, "The checkpoint's state was saved before every row was written.");
    }

    [Fact]
    public async Task UpsertAsync_QueueFull_WaitsThenCompletes()
    {
        await using var harness = new EngineHarness();
        harness.Options.QueueCapacity = 1;
        harness.Options.BatchSize = 10;
        var destinationReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Destination.BeforeWrite = (_, ct) => destinationReleased.Task.WaitAsync(ct);
        var sawBackPressure = false;
        const int Rows = 3_000;

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                for (var i = 0; i < Rows; i++)
                {
                    var pending = context.UpsertAsync("events", new { id = i }, ct);
                    if (!pending.IsCompleted)
                    {
                        // The destination is stuck and the queue is full: the connector is made to wait.
                        sawBackPressure = true;
                        destinationReleased.TrySetResult();
                    }

                    await pending;
                }

                destinationReleased.TrySetResult();
                await context.CheckpointAsync(new { }, ct);
            },
            new TableDefinition("events") { PrimaryKey = ["id"] });

        RunAssert.Succeeded(run);
        Assert.True(sawBackPressure, "No upsert waited although the destination was held and the queue holds one chunk.");
        Assert.Equal(Rows, harness.Rows("events").Count);
        Assert.All(harness.Destination.BatchesOf("events"), b => Assert.True(b.Rows.Count <= 10, $"A batch of {b.Rows.Count} rows exceeds BatchSize."));
    }

    [Fact]
    public async Task RunAsync_BatchSizeReached_WritesBeforeCheckpoint()
    {
        await using var harness = new EngineHarness();
        harness.Options.BatchSize = 100;

        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            for (var i = 0; i < 250; i++)
            {
                await context.UpsertAsync("a", new { id = i }, ct);
            }

            await context.CheckpointAsync(new { }, ct);
        }));

        Assert.Equal([100, 100, 50], harness.Destination.BatchesOf("a").Select(b => b.Rows.Count));
        Assert.All(harness.Destination.Batches, b => Assert.All(b.Operations, o => Assert.Equal(RowOperation.Upsert, o)));
    }

    [Fact]
    public async Task CheckpointAsync_StateOverMaxStateBytes_FailsWithClearMessage()
    {
        await using var harness = new EngineHarness();
        harness.Options.MaxStateBytes = 64;

        var run = await harness.RunAsync(async (context, ct) =>
            await context.CheckpointAsync(new { cursor = new string('x', 100) }, ct));

        var error = RunAssert.Failed(run);
        Assert.Contains("limit", error, StringComparison.Ordinal);
        Assert.Contains("64", error, StringComparison.Ordinal);
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public async Task CheckpointAsync_StateWriteFails_RunFailsAndStateUnchanged()
    {
        await using var harness = new EngineHarness();
        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) => await context.CheckpointAsync(new { cursor = 1 }, ct)));
        harness.Store.FailNextWrite = new IOException("disk full");

        var run = await harness.RunAsync(async (context, ct) => await context.CheckpointAsync(new { cursor = 2 }, ct));

        Assert.Contains("disk full", RunAssert.Failed(run), StringComparison.Ordinal);
        RunAssert.JsonEqual("""{"cursor":1}""", (await harness.ReadStateAsync()).State);
    }

    [Fact]
    public async Task CheckpointAsync_StateNotAnObject_Fails()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) => await context.CheckpointAsync(new[] { 1, 2 }, ct));

        Assert.Contains("JSON object", RunAssert.Failed(run), StringComparison.Ordinal);
    }

    // Holds every write until release is set; writing is set once the first write has begun.
    private static (TaskCompletionSource Writing, TaskCompletionSource Release) HoldWrites(EngineHarness harness)
    {
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Destination.BeforeWrite = async (_, _) =>
        {
            writing.TrySetResult();
            await release.Task;
        };

        return (writing, release);
    }
}

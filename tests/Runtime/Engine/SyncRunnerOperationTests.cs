using Tributary.Runtime.Destinations;
using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>Upsert, update, delete and truncate reach the destination in order, as batches, with DESIGN §3's effect.</summary>
public sealed class SyncRunnerOperationTests
{
    private static readonly TableDefinition Items = new("items") { PrimaryKey = ["id"] };

    [Fact]
    public async Task RunAsync_ManyTablesEachBelowABatch_WritesTheLargestToKeepTwoBatchesBuffered()
    {
        await using var harness = new EngineHarness();
        harness.Options.BatchSize = 1000;

        // 10 tables × 900 rows, round-robin: no table reaches a batch, but 9,000 rows would be buffered at once.
        var run = await harness.RunAsync(async (context, ct) =>
        {
            for (var id = 0; id < 900; id++)
            {
                for (var table = 0; table < 10; table++)
                {
                    await context.UpsertAsync($"t{table}", new { id }, ct);
                }
            }

            await context.CheckpointAsync(new { done = true }, ct);
        });

        RunAssert.Succeeded(run);
        // Held only to the checkpoint, each table would be one batch of 900; bounded, tables are written early, in parts.
        Assert.True(harness.Destination.Batches.Count > 10, $"{harness.Destination.Batches.Count} batches: nothing was written before the checkpoint");
        Assert.All(harness.Destination.Batches, b => Assert.True(b.Rows.Count < 1000));
        Assert.Equal(9000, Enumerable.Range(0, 10).Sum(t => harness.Rows($"t{t}").Count));
    }

    [Fact]
    public async Task RunAsync_WideRows_BatchesAreHeldToTheByteBudget()
    {
        await using var harness = new EngineHarness();
        harness.Options.BatchSize = 1_000_000;
        harness.Options.BatchBytes = 100 * 1024;
        var text = new string('x', 10 * 1024);   // about 20 KB a row in the batch

        // Three tables, round-robin: a table reaches the budget alone at its 5th row, all three together pass twice the budget
        // at the 10th row in all, and the largest is written.
        var run = await harness.RunAsync(async (context, ct) =>
        {
            for (var id = 0; id < 300; id++)
            {
                await context.UpsertAsync($"t{id % 3}", new { id, text }, ct);
            }

            await context.CheckpointAsync(new { done = true }, ct);
        });

        RunAssert.Succeeded(run);
        Assert.All(harness.Destination.Batches, b => Assert.InRange(b.Rows.Count, 1, 5));
        Assert.Contains(harness.Destination.Batches, b => b.Rows.Count == 4);   // written for the budget across tables
        Assert.Equal(300, Enumerable.Range(0, 3).Sum(t => harness.Rows($"t{t}").Count));
    }

    [Fact]
    public async Task RunAsync_MixedOperations_FoldsEachKeyIntoOneRowAndCutsTheBatchAtTheTruncate()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "one" }, ct);
                await context.UpsertAsync("items", new { id = 2, name = "two" }, ct);
                await context.UpsertAsync("items", new { id = 3, name = "three" }, ct);
                await context.UpdateAsync("items", new Dictionary<string, object?> { ["id"] = 1, ["name"] = "one!" }, ct);
                await context.DeleteAsync("items", new { id = 2 }, ct);
                await context.TruncateAsync("items", ct);
                await context.UpsertAsync("items", new { id = 4, name = "four" }, ct);
                await context.CheckpointAsync(new { cursor = 4 }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var batches = harness.Destination.BatchesOf("items");
        Assert.Equal(2, batches.Count);
        Assert.False(batches[0].Truncate);
        Assert.Equal([RowOperation.Upsert, RowOperation.UpsertThenDelete, RowOperation.Upsert], batches[0].Operations);
        Assert.Equal(new object?[] { "one!", "two", "three" }, batches[0].ValuesOf("name"));
        Assert.True(batches[1].Truncate);
        Assert.Equal([RowOperation.Upsert], batches[1].Operations);

        var rows = harness.Rows("items").ToDictionary(r => (int)r["id"]!);
        Assert.Equal("one!", rows[1]["name"]);
        Assert.Equal(new object?[] { true, true, true, false }, new[] { 1, 2, 3, 4 }.Select(id => rows[id]["_tributary_deleted"]));

        var counts = run.Tables["items"];
        Assert.Equal((4L, 1L, 1L, 1L, 0L), (counts.Upserts, counts.Updates, counts.Deletes, counts.Truncates, counts.UnknownKeys));
    }

    [Fact]
    public async Task RunAsync_SameKeyTwiceInBatch_LastUpsertWins()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "first" }, ct);
                await context.UpsertAsync("items", new { id = 2, name = "other" }, ct);
                await context.UpsertAsync("items", new { id = 1, name = "last" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var batch = Assert.Single(harness.Destination.BatchesOf("items"));
        Assert.Equal(2, batch.Rows.Count);
        Assert.Equal(new object?[] { "last", "other" }, batch.ValuesOf("name"));
        Assert.Equal(3, run.Tables["items"].Upserts);
    }

    [Fact]
    public async Task RunAsync_SameKeyUpdatedTwiceInBatch_LastUpdateWins()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "a" }, ct);
                await context.CheckpointAsync(new { }, ct);
                await context.UpdateAsync("items", new { id = 1, name = "b" }, ct);
                await context.UpdateAsync("items", new { id = 1, name = "c" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var update = Assert.Single(harness.Destination.BatchesOf("items"), b => b.Operations.All(o => o == RowOperation.Update));
        Assert.Equal(new object?[] { "c" }, update.ValuesOf("name"));
        Assert.Equal("c", Assert.Single(harness.Rows("items"))["name"]);
    }

    [Fact]
    public async Task RunAsync_UpsertLeavesOutColumn_ColumnBecomesNull()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "a", note = "kept?" }, ct);
                await context.CheckpointAsync(new { }, ct);
                await context.UpsertAsync("items", new { id = 1, name = "b" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var row = Assert.Single(harness.Rows("items"));
        Assert.Equal("b", row["name"]);
        Assert.Null(row["note"]);
    }

    [Fact]
    public async Task RunAsync_UpdateChangesOnlyGivenColumns_OthersKept()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "a", note = "kept" }, ct);
                await context.CheckpointAsync(new { }, ct);
                await context.UpdateAsync("items", new { id = 1, name = "b" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var row = Assert.Single(harness.Rows("items"));
        Assert.Equal("b", row["name"]);
        Assert.Equal("kept", row["note"]);
    }

    [Fact]
    public async Task RunAsync_UpdateAddsColumnWhileUpsertsPending_AppliesBoth()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "a" }, ct);
                await context.UpdateAsync("items", new { id = 1, score = 5 }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var row = Assert.Single(harness.Rows("items"));
        Assert.Equal("a", row["name"]);
        Assert.Equal(5, row["score"]);
    }

    [Fact]
    public async Task RunAsync_UpdateAddsColumnWhileUpdatesPending_AppliesBoth()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "a" }, ct);
                await context.UpsertAsync("items", new { id = 2, name = "b" }, ct);
                await context.CheckpointAsync(new { }, ct);
                await context.UpdateAsync("items", new { id = 1, name = "a!" }, ct);
                await context.UpdateAsync("items", new { id = 2, score = 7 }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var rows = harness.Rows("items").ToDictionary(r => (int)r["id"]!);
        Assert.Equal("a!", rows[1]["name"]);
        Assert.Equal(7, rows[2]["score"]);
    }

    [Fact]
    public async Task RunAsync_UpsertOfDeletedKey_RevivesRow()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "a" }, ct);
                await context.DeleteAsync("items", new { id = 1 }, ct);
                await context.CheckpointAsync(new { }, ct);
                await context.UpsertAsync("items", new { id = 1, name = "back" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var row = Assert.Single(harness.Rows("items"));
        Assert.Equal("back", row["name"]);
        Assert.Equal(false, row["_tributary_deleted"]);
    }

    [Fact]
    public async Task RunAsync_TruncateThenUpsert_OnlyLaterRowsLive()
    {
        await using var harness = new EngineHarness();
        RunAssert.Succeeded(await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "old" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items));

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.TruncateAsync("items", ct);
                await context.UpsertAsync("items", new { id = 2, name = "new" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        Assert.Equal(2, harness.Rows("items").Count);
        Assert.Equal(2, Assert.Single(harness.LiveRows("items"))["id"]);
        Assert.Equal(1, run.Tables["items"].Truncates);
    }

    [Fact]
    public async Task RunAsync_UpdateAndDeleteOfUnknownKeys_CountedAndLogged()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1, name = "a" }, ct);
                await context.CheckpointAsync(new { }, ct);
                await context.UpdateAsync("items", new { id = 99, name = "ghost" }, ct);
                await context.DeleteAsync("items", new { id = 98 }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items);

        RunAssert.Succeeded(run);
        var counts = run.Tables["items"];
        Assert.Equal((1L, 1L, 2L), (counts.Updates, counts.Deletes, counts.UnknownKeys));
        Assert.Equal("a", Assert.Single(harness.Rows("items"))["name"]);
        Assert.Contains(harness.Logs.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.Contains("does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_UpdateOfTableNeverWritten_CountedAsUnknownKeyAndNoTable()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpdateAsync("ghosts", new { id = 1, name = "x" }, ct);
                await context.DeleteAsync("ghosts", new { id = 2 }, ct);
                await context.CheckpointAsync(new { }, ct);
            });

        RunAssert.Succeeded(run);
        Assert.Equal(2, run.Tables["ghosts"].UnknownKeys);
        Assert.False(harness.Destination.HasTable(EngineHarness.Connector, "ghosts"));
    }

    [Fact]
    public async Task RunAsync_SyncedColumn_IsClockTime()
    {
        await using var harness = new EngineHarness();
        var now = harness.Time.GetUtcNow();

        RunAssert.Succeeded(await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("items", new { id = 1 }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            Items));

        Assert.Equal(now, Assert.Single(harness.Rows("items"))["_tributary_synced"]);
    }

    private sealed class MutableItem
    {
        public long Id { get; set; }

        public string? Name { get; set; }
    }

    private sealed record Reading(long Id, DateTimeOffset At, int Count, double? Value);

    [Fact]
    public async Task RunAsync_RowObjects_EachLandsAsItWasWhenGiven()
    {
        await using var harness = new EngineHarness();
        var plus2 = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));
        var declared = new TableDefinition("readings")
        {
            PrimaryKey = ["Id"],
            Columns = new Dictionary<string, ColumnType> { ["Id"] = ColumnType.Long, ["At"] = ColumnType.UtcDateTime, ["Count"] = ColumnType.Long },
        };

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                // One mutable object, changed after each call: the engine copies it at the call.
                var item = new MutableItem();
                for (var id = 1; id <= 3; id++)
                {
                    (item.Id, item.Name) = (id, $"item {id}");
                    await context.UpsertAsync("items", item, ct);
                }

                item.Name = "changed after the last call";

                // Immutable records are read later, typed: the offset is brought to UTC, an int goes into a LONG column (the
                // general path), NULL stays NULL, an update sets what it names.
                await context.UpsertAsync("readings", new Reading(1, plus2, 5, 1.5), ct);
                await context.UpsertAsync("readings", new Reading(2, plus2, 6, null), ct);
                await context.UpdateAsync("readings", new { Id = 2L, Value = 2.5 }, ct);
                await context.DeleteAsync("readings", new { Id = 1L }, ct);
                await context.CheckpointAsync(new { done = true }, ct);
            },
            Items,
            declared);

        RunAssert.Succeeded(run);
        Assert.Equal(["item 1", "item 2", "item 3"], harness.Rows("items").Select(r => r["name"]));
        var readings = harness.Rows("readings").OrderBy(r => r["id"]).ToList();
        Assert.Equal([1L, 2L], readings.Select(r => r["id"]));
        Assert.All(readings, r => Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), r["at"]));
        Assert.All(readings, r => Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)r["at"]!).Offset));
        Assert.Equal([5L, 6L], readings.Select(r => r["count"]));
        Assert.Equal([1.5, 2.5], readings.Select(r => r["value"]));
        Assert.Equal([true, false], readings.Select(r => r["_tributary_deleted"]));
    }
}

using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>What the connector emitted cannot be written: the sync fails with a message that says exactly where,
/// and nothing after the last checkpoint is committed.</summary>
public sealed class SyncRunnerDataErrorTests
{
    private static readonly TableDefinition Orders = new("orders")
    {
        PrimaryKey = ["id"],
        Columns = new Dictionary<string, ColumnType> { ["quantity"] = ColumnType.Int },
    };

    [Theory]
    [InlineData("update")]
    [InlineData("delete")]
    public async Task RunAsync_ChangeMissingKeyColumn_FailsNamingColumn(string operation)
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("orders", new { id = 1, quantity = 5 }, ct);
                await context.CheckpointAsync(new { }, ct);
                if (operation == "update")
                {
                    await context.UpdateAsync("orders", new { quantity = 6 }, ct);
                }
                else
                {
                    await context.DeleteAsync("orders", new { quantity = 6 }, ct);
                }

                await context.CheckpointAsync(new { }, ct);
            },
            Orders);

        var error = RunAssert.Failed(run);
        Assert.Contains("'id'", error, StringComparison.Ordinal);
        Assert.Contains(operation, error, StringComparison.Ordinal);
        Assert.Contains("orders", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UpdateMissingOneOfCompositeKey_FailsNamingThatColumn()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("lines", new { tenant = "t1", id = 1, qty = 1 }, ct);
                await context.UpdateAsync("lines", new { id = 1, qty = 2 }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            new TableDefinition("lines") { PrimaryKey = ["tenant", "id"] });

        var error = RunAssert.Failed(run);
        Assert.Contains("'tenant'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ValueNotCoercible_FailsWithTableColumnKeyAndValue()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("orders", new { id = 1, quantity = 5 }, ct);
                await context.CheckpointAsync(new { cursor = 1 }, ct);
                await context.UpsertAsync("orders", new { id = 2, quantity = 3 }, ct);
                await context.UpsertAsync("orders", new { id = 3, quantity = "lots" }, ct);
            },
            Orders);

        var error = RunAssert.Failed(run);
        Assert.Contains("orders", error, StringComparison.Ordinal);
        Assert.Contains("quantity", error, StringComparison.Ordinal);
        Assert.Contains("id=3", error, StringComparison.Ordinal);
        Assert.Contains("'lots'", error, StringComparison.Ordinal);
        Assert.Contains("INT", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ValueNotCoercible_NothingWrittenSinceCheckpointAndStateUnchanged()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("orders", new { id = 1, quantity = 5 }, ct);
                await context.CheckpointAsync(new { cursor = 1 }, ct);
                await context.UpsertAsync("orders", new { id = 2, quantity = 3 }, ct);
                await context.UpsertAsync("orders", new { id = 3, quantity = "lots" }, ct);
                await context.CheckpointAsync(new { cursor = 3 }, ct);
            },
            Orders);

        RunAssert.Failed(run);
        Assert.Equal(1, Assert.Single(harness.Rows("orders"))["id"]);
        Assert.Single(harness.Destination.Batches);
        var state = await harness.ReadStateAsync();
        RunAssert.JsonEqual("""{"cursor":1}""", state.State);
        Assert.Equal("1", state.Version);
        Assert.Equal(1, run.Checkpoints);
    }

    [Fact]
    public async Task CheckpointAsync_WithoutTokenAfterRunFailed_ReturnsInsteadOfHanging()
    {
        await using var harness = new EngineHarness();
        var checkpointEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("orders", new { id = 3, quantity = "lots" }, ct);
                try
                {
                    // Fivetran-style connectors often checkpoint without passing the token.
                    await context.CheckpointAsync(new { cursor = 3 }, CancellationToken.None);
                }
                finally
                {
                    checkpointEnded.TrySetResult();
                }
            },
            Orders);

        RunAssert.Failed(run);
        var ended = await Task.WhenAny(checkpointEnded.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(ended == checkpointEnded.Task, "CheckpointAsync never returned after the run failed: the connector's task is left hanging.");
    }

    [Fact]
    public async Task RunAsync_TwoColumnsNormalisingToOneInRow_FailsNamingBoth()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("people", new Dictionary<string, object?> { ["firstName"] = "Ada", ["first_name"] = "Ada" }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        var error = RunAssert.Failed(run);
        Assert.Contains("'firstName'", error, StringComparison.Ordinal);
        Assert.Contains("'first_name'", error, StringComparison.Ordinal);
        Assert.False(harness.Destination.HasTable(EngineHarness.Connector, "people"));
    }

    [Fact]
    public async Task RunAsync_TwoTablesNormalisingToOne_FailsNamingBoth()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("OrderLines", new { id = 1 }, ct);
            await context.UpsertAsync("order_lines", new { id = 2 }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        var error = RunAssert.Failed(run);
        Assert.Contains("'OrderLines'", error, StringComparison.Ordinal);
        Assert.Contains("'order_lines'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SchemaDeclaresTwoTablesNormalisingToOne_FailsNamingBoth()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync((_, _) => Task.CompletedTask, new TableDefinition("userEvents"), new TableDefinition("user events"));

        var error = RunAssert.Failed(run);
        Assert.Contains("'userEvents'", error, StringComparison.Ordinal);
        Assert.Contains("'user events'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RowWithSystemColumnName_Fails()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("items", new Dictionary<string, object?> { ["id"] = 1, ["_tributary_deleted"] = true }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        Assert.Contains("_tributary_deleted", RunAssert.Failed(run), StringComparison.Ordinal);
    }
}

using Tributary.Runtime.Destinations;
using Tributary.Runtime.State;
using Xunit;

namespace Tributary.Testing;

/// <summary>
/// Fencing (DESIGN.md §7): a batch carries its run's lease epoch, and once a batch of a larger epoch has committed to a
/// schema, a batch of a smaller one — a writer that lost its lease during a long batch — is refused whole.
/// </summary>
public abstract partial class DestinationContractTests
{
    private const string ItemRows = $"SELECT id, name FROM {Items} ORDER BY id";

    [Fact]
    public async Task WriteAsync_FenceBelowOneCommitted_RefusedAndTableUnchanged()
    {
        await using var w = await OpenAsync();
        await w.WriteAsync(Fenced(Create(Item(1, "first writer", 1, null)), 1));
        await w.WriteAsync(Fenced(Upsert(Item(1, "second writer", 2, null), Item(2, "two", 2, null)), 2));

        var error = await Assert.ThrowsAsync<ConnectorBusyException>(() => w.WriteAsync(Fenced(Upsert(Item(1, "stale", 9, null), Item(3, "stale", 9, null)), 1)));

        Assert.Contains("epoch 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("epoch 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1|second writer", "2|two"], await w.ShowAsync(ItemRows));
    }

    [Fact]
    public async Task WriteAsync_SameOrLargerFence_Commits()
    {
        await using var w = await OpenAsync();
        await w.WriteAsync(Fenced(Create(Item(1, "one", 1, null)), 3));

        await w.WriteAsync(Fenced(Upsert(Item(2, "two", 2, null)), 3));
        await w.WriteAsync(Fenced(Upsert(Item(3, "three", 3, null)), 4));
        await w.WriteAsync(Upsert(Item(4, "unfenced", 4, null)));

        Assert.Equal(["1|one", "2|two", "3|three", "4|unfenced"], await w.ShowAsync(ItemRows));
    }

    [Fact]
    public async Task GetTablesAsync_FencedSchema_ListsOnlyConnectorTables()
    {
        await using var w = await OpenAsync();
        await w.WriteAsync(Fenced(Create(Item(1, "one", 1, null)), 1));

        Assert.Equal(["items"], (await w.Destination.GetTablesAsync(Schema, default)).Select(t => t.Name));
    }

    [Fact]
    public async Task WriteAsync_LargerFenceInAnotherSchema_DoesNotFenceThisOne()
    {
        await using var w = await OpenAsync();
        await w.WriteAsync(new WriteBatch("other", ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), [Item(1, "elsewhere", 1, null)],
            [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1) { Fence = 9 });

        await w.WriteAsync(Fenced(Create(Item(1, "here", 1, null)), 1));

        Assert.Equal(["1|here"], await w.ShowAsync(ItemRows));
    }

    private static WriteBatch Create(params object?[][] rows) =>
        new(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), rows, [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1);

    private static WriteBatch Upsert(params object?[][] rows) => new(Schema, ItemsTable, Sys, OperationKind.Upsert, Writable(ItemsTable), rows, [], T2);

    private static WriteBatch Fenced(WriteBatch batch, long epoch)
    {
        batch.Fence = epoch;
        return batch;
    }
}

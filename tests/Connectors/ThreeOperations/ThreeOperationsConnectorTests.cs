using Tributary.Sdk.Testing;
using Tributary.Connectors.ThreeOperations;
using Xunit;

namespace Tributary.Connectors.Tests.ThreeOperations;

public sealed class ThreeOperationsConnectorTests
{
    [Fact]
    public async Task UpdateAsync_UpsertsUpdatesAndDeletes_LeavesDocumentedRows()
    {
        await using var harness = new ConnectorHarness("three_operations");

        var run = await harness.RunAsync(new ThreeOperationsConnector());

        RunAssert.Succeeded(run);
        var counts = run.Tables["three"];
        Assert.Equal(3, counts.Upserts);
        Assert.Equal(1, counts.Updates);
        Assert.Equal(1, counts.Deletes);
        Assert.Equal(0, counts.Truncates);
        Assert.Equal(1, run.Checkpoints);

        var rows = await harness.RowsAsync("three", "val2");
        Assert.Equal(3, rows.Count);
        Assert.Equal([0, 1, 2], rows.Select(row => (int)row["val2"]!));
        Assert.All(rows, row => Assert.True(Guid.TryParse((string)row["id"]!, out _)));

        // Row 0: as upserted.
        Assert.Equal(rows[0]["id"], rows[0]["val1"]);
        Assert.Equal(false, rows[0][RunAssert.Deleted]);
        // Row 1: updated; only val1 changed.
        Assert.Equal("abc", rows[1]["val1"]);
        Assert.Equal(false, rows[1][RunAssert.Deleted]);
        // Row 2: soft-deleted, still there with its values.
        Assert.Equal(rows[2]["id"], rows[2]["val1"]);
        Assert.Equal(true, rows[2][RunAssert.Deleted]);

        var types = await harness.ColumnTypesAsync("three");
        Assert.Equal("varchar", types["id"]);
        Assert.Equal("varchar", types["val1"]);
        Assert.Equal("integer", types["val2"]);
    }
}

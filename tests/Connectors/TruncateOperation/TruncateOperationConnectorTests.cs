using Tributary.Sdk.Testing;
using Tributary.Connectors.TruncateOperation;
using Xunit;

namespace Tributary.Connectors.Tests.TruncateOperation;

public sealed class TruncateOperationConnectorTests
{
    [Fact]
    public async Task UpdateAsync_SixStages_LeavesDocumentedRows()
    {
        await using var harness = new ConnectorHarness("truncate_operation");

        var run = await harness.RunAsync(new TruncateOperationConnector());

        RunAssert.Succeeded(run);
        var rows = await harness.RowsAsync("products", "product_id");
        Assert.Equal(
            [
                (1, "Laptop Pro", "Electronics", 1249.99f, true, false),
                (2, "Wireless Mouse", "Electronics", 29.99f, true, true),
                (3, "Desk Chair", "Furniture", 349.99f, false, true),
                (4, "Mechanical Keyboard", "Electronics", 129.99f, true, false),
                (5, "Standing Desk", "Furniture", 599.99f, true, true),
            ],
            rows.Select(row => (
                (int)row["product_id"]!,
                (string)row["name"]!,
                (string)row["category"]!,
                (float)row["price"]!,
                (bool)row["in_stock"]!,
                (bool)row[RunAssert.Deleted]!)));
    }

    [Fact]
    public async Task UpdateAsync_SixStages_CountsEveryOperation()
    {
        await using var harness = new ConnectorHarness("truncate_operation");

        var run = await harness.RunAsync(new TruncateOperationConnector());

        RunAssert.Succeeded(run);
        var counts = run.Tables["products"];
        Assert.Equal(6, counts.Upserts);
        Assert.Equal(1, counts.Updates);
        Assert.Equal(1, counts.Deletes);
        Assert.Equal(1, counts.Truncates);
        Assert.Equal(6, run.Checkpoints);

        var types = await harness.ColumnTypesAsync("products");
        Assert.Equal("integer", types["product_id"]);
        Assert.Equal("varchar", types["name"]);
        Assert.Equal("varchar", types["category"]);
        Assert.Equal("float", types["price"]);
        Assert.Equal("boolean", types["in_stock"]);
    }
}

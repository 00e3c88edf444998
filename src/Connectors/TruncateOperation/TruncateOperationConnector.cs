using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.TruncateOperation;

/// <summary>Truncate: soft-deletes every row written before it, while rows written after it stay live.</summary>
[Connector("truncate_operation", Description = "Shows truncate next to upsert, update and delete in six checkpointed stages.")]
public sealed partial class TruncateOperationConnector : Connector
{
    private const string Table = "products";

    private static readonly Product[] InitialCatalog =
    [
        new(1, "Laptop", "Electronics", 999.99f, true),
        new(2, "Wireless Mouse", "Electronics", 29.99f, true),
        new(3, "Desk Chair", "Furniture", 349.99f, false),
    ];

    private static readonly Product[] NewCatalog =
    [
        new(4, "Mechanical Keyboard", "Electronics", 129.99f, true),
        new(5, "Standing Desk", "Furniture", 599.99f, true),
    ];

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["product_id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["product_id"] = ColumnType.Int,
                ["name"] = ColumnType.String,
                ["category"] = ColumnType.String,
                ["price"] = ColumnType.Float,
                ["in_stock"] = ColumnType.Boolean,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        LogStage(context.Logger, 1, "upserting the initial product catalog");
        foreach (var product in InitialCatalog)
        {
            await context.UpsertAsync(Table, product, cancellationToken);
        }

        await context.CheckpointAsync(context.State, cancellationToken);

        LogStage(context.Logger, 2, "updating the Laptop's price");
        await context.UpdateAsync(Table, new { product_id = 1, price = 799.99f }, cancellationToken);
        await context.CheckpointAsync(context.State, cancellationToken);

        // Products 1, 2 and 3 are now soft-deleted: they stay in the table with the deleted flag set.
        LogStage(context.Logger, 3, "truncating the products table");
        await context.TruncateAsync(Table, cancellationToken);
        await context.CheckpointAsync(context.State, cancellationToken);

        // Written after the truncate, so live.
        LogStage(context.Logger, 4, "upserting the new catalog after the truncate");
        foreach (var product in NewCatalog)
        {
            await context.UpsertAsync(Table, product, cancellationToken);
        }

        await context.CheckpointAsync(context.State, cancellationToken);

        // An upsert of a deleted key revives it, with every column replaced.
        LogStage(context.Logger, 5, "reviving the Laptop with new details");
        await context.UpsertAsync(Table, new Product(1, "Laptop Pro", "Electronics", 1249.99f, true), cancellationToken);
        await context.CheckpointAsync(context.State, cancellationToken);

        LogStage(context.Logger, 6, "deleting the Standing Desk by primary key");
        await context.DeleteAsync(Table, new { product_id = 5 }, cancellationToken);
        await context.CheckpointAsync(context.State, cancellationToken);
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Stage {Stage}: {Description}")]
    private static partial void LogStage(ILogger logger, int stage, string description);
}

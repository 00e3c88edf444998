// The connector shown in README.md ("Writing a connector"); ReadmeTests keeps the two identical.
// readme-snippet-start
using System.Net.Http.Json;
using Tributary.Sdk;

namespace MyConnectors;

[Connector("orders", Description = "Orders changed since the last sync.")]
public sealed class OrdersConnector : Connector
{
    // Declare the key, and only the types that must be forced; everything else is inferred.
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition("orders")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["total"] = ColumnType.Decimal(12, 2) },
        },
    ];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var since = context.State["cursor"]?.GetValue<string>() ?? "2024-01-01T00:00:00Z";
        var url = new Uri(context.Configuration.GetUri("base_url"), $"orders?updated_since={since}");
        var orders = await context.HttpClient.GetFromJsonAsync<Order[]>(url, cancellationToken) ?? [];
        foreach (var order in orders)
        {
            await context.UpsertAsync("orders", order, cancellationToken);
            since = order.UpdatedAt;
        }

        // Everything upserted above is committed before the cursor moves.
        await context.CheckpointAsync(new { cursor = since }, cancellationToken);
    }

    private sealed record Order(long Id, string Customer, decimal Total, string UpdatedAt);
}
// readme-snippet-end

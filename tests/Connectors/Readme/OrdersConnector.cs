// The connector shown in README.md ("Writing a connector"); ReadmeTests keeps the two identical.
// readme-snippet-start
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace MyConnectors;

[Connector("orders", Description = "Orders changed since the last sync.")]
public sealed class OrdersConnector : Connector
{
    // Declare the key, and only the types that must be forced; everything else is inferred.
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition("orders") { PrimaryKey = ["id"], Columns = new Dictionary<string, ColumnType> { ["total"] = ColumnType.Decimal(12, 2) } }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var cursor = context.ReadState(new Cursor(UpdatedSince: "2024-01-01T00:00:00Z"));
        using var api = new RestClient(context, new RestClientOptions
        {
            BaseAddress = context.Configuration.GetUri("base_url"),
            Authenticator = new BearerAuthenticator(await context.GetSecretAsync("api_token", cancellationToken)),
        });
        var changed = new RestRequest("orders") { RecordsPath = "data", Query = { ["updated_since"] = cursor.UpdatedSince } };
        await foreach (var page in api.GetPagesAsync(changed, new KeysetPaginator { CursorParameter = "after", CursorPath = "next" }, cancellationToken))
        {
            foreach (var order in page.Records)   // oldest change first
            {
                await context.UpsertAsync("orders", order, cancellationToken);
                cursor = new Cursor(order["updated_at"]!.GetValue<string>());
            }

            await context.CheckpointAsync(cursor, cancellationToken);   // the page is committed before the cursor moves
        }
    }

    public sealed record Cursor(string UpdatedSince);
}
// readme-snippet-end

using System.Globalization;
using System.Text.Json.Serialization;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Acme;

/// <summary>
/// Reads the items of the Acme API that changed since the last sync: <c>GET items?updated_since=…&amp;limit=…</c>, oldest
/// change first, each next page asked for with the response's <c>next_cursor</c>. After each page it checkpoints the
/// <c>updated_at</c> of the last item read, so a failed sync resumes after the last committed page.
/// </summary>
[Connector("acme", Description = "Items from the Acme API, incrementally by updated_at, a checkpoint after each page.")]
public sealed class AcmeConnector : Connector
{
    private const string Items = "items";

    // Declare each table's primary key, and only the column types that must be forced; the rest are inferred.
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Items) { PrimaryKey = ["id"] }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cursor = context.ReadState(new AcmeCursor());
        var pageSize = context.Configuration.GetInt32("page_size", 100);

        // A credential is a secret, never configuration: it is masked in every log, error, state and run record.
        using var api = new RestClient(context, new RestClientOptions
        {
            BaseAddress = context.Configuration.GetUri("base_url"),
            Authenticator = new BearerAuthenticator(await context.GetSecretAsync("api_key", cancellationToken)),
        });

        var changed = new RestRequest("items") { RecordsPath = "items" };
        changed.Query["updated_since"] = cursor.UpdatedSince;
        changed.Query["limit"] = pageSize.ToString(CultureInfo.InvariantCulture);
        var paginator = new KeysetPaginator { CursorParameter = "cursor", CursorPath = "next_cursor" };
        await foreach (var page in api.GetPagesAsync(changed, paginator, cancellationToken))
        {
            foreach (var item in page.Records)
            {
                await context.UpsertAsync(Items, item, cancellationToken);
                cursor = new AcmeCursor { UpdatedSince = item["updated_at"]?.GetValue<string>() ?? cursor.UpdatedSince };
            }

            // Everything upserted so far is committed before the cursor moves past it.
            await context.CheckpointAsync(cursor, cancellationToken);
        }
    }
}

/// <summary>The state: the <c>updated_at</c> of the newest item synced. The API's <c>updated_since</c> includes it, so the
/// next sync reads that item again, an upsert that changes nothing, and never misses one changed in the same instant.</summary>
public sealed record AcmeCursor
{
    [JsonPropertyName("updated_since")]
    public string UpdatedSince { get; init; } = "1970-01-01T00:00:00Z";
}

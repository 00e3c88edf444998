using System.Globalization;
using System.Text.Json.Nodes;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.OAuth2WithTokenRefresh;

/// <summary>
/// HubSpot's legacy companies API (v2): every company through <c>companies/paged</c> (<c>offset</c> / <c>has-more</c>), or
/// the changed ones through <c>companies/recent/modified?since=</c> (<c>offset</c> / <c>hasMore</c>).
/// </summary>
internal sealed class HubSpotCompanies(RestClient client, SyncContext context, int pageSize)
{
    public const string Table = "companies";

    public Task SyncAllAsync(HubSpotState state, CancellationToken cancellationToken)
    {
        var request = new RestRequest("companies/v2/companies/paged") { RecordsPath = "companies" };
        request.Query["properties"] = "name";
        request.Query["limit"] = pageSize.ToString(CultureInfo.InvariantCulture);
        return SyncAsync(request, new KeysetPaginator { CursorParameter = "offset", CursorPath = "offset", HasMorePath = "has-more" }, state, cancellationToken);
    }

    public Task SyncChangedAsync(long since, HubSpotState state, CancellationToken cancellationToken)
    {
        var request = new RestRequest("companies/v2/companies/recent/modified") { RecordsPath = "results" };
        request.Query["since"] = since.ToString(CultureInfo.InvariantCulture);
        request.Query["count"] = pageSize.ToString(CultureInfo.InvariantCulture);
        return SyncAsync(request, new KeysetPaginator { CursorParameter = "offset", CursorPath = "offset", HasMorePath = "hasMore" }, state, cancellationToken);
    }

    private async Task SyncAsync(RestRequest request, KeysetPaginator paginator, HubSpotState state, CancellationToken cancellationToken)
    {
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            foreach (var company in page.Records)
            {
                var name = company["properties"]?["name"];
                await context.UpsertAsync(
                    Table,
                    new JsonObject
                    {
                        ["companyId"] = company["companyId"]?.DeepClone(),
                        ["name"] = name?["value"]?.GetValue<string>() ?? "",
                        ["timestamp"] = name?["timestamp"]?.DeepClone(),
                    },
                    cancellationToken);
            }

            // Commits the page; the cursor stays where it was until both tables are complete.
            await context.CheckpointAsync(state, cancellationToken);
        }
    }
}

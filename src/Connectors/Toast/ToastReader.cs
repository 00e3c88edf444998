using System.Text.Json.Nodes;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Toast;

/// <summary>Reads one restaurant's endpoints; every request names the restaurant in <c>Toast-Restaurant-External-ID</c>.
/// <paramref name="state"/> is what a page's checkpoint saves: the window in progress does not move it.</summary>
internal sealed class ToastReader(SyncContext context, RestClient client, string restaurantId, ToastState state)
{
    private RestRequest Request(string path)
    {
        var request = new RestRequest(path);
        request.Headers["Toast-Restaurant-External-ID"] = restaurantId;
        return request;
    }

    /// <summary>A configuration endpoint: pages chained by the <c>Toast-Next-Page-Token</c> header and <c>pageToken</c>.</summary>
    public async Task ConfigAsync(string path, string table, string lastModified, CancellationToken cancellationToken)
    {
        string? pageToken = null;
        do
        {
            var request = Request(path);
            request.Query["lastModified"] = lastModified;
            if (pageToken is not null)
            {
                request.Query["pageToken"] = pageToken;
            }

            pageToken = null;
            await foreach (var page in client.GetPagesAsync(request, cancellationToken: cancellationToken))
            {
                foreach (var record in page.Records)
                {
                    await context.UpsertAsync(table, ToastRows.Row(record, restaurantId, "revenueCenter"), cancellationToken);
                }

                pageToken = page.Headers.TryGetValues("Toast-Next-Page-Token", out var values) ? values.FirstOrDefault() : null;
            }
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    /// <summary>The restaurant's employees: one unpaginated list.</summary>
    public async Task EmployeesAsync(CancellationToken cancellationToken)
    {
        await foreach (var employee in client.GetRecordsAsync(Request("labor/v1/employees"), cancellationToken: cancellationToken))
        {
            var row = ToastRows.Row(employee, restaurantId);
            await context.UpsertAsync("employee", row, cancellationToken);
            await DeleteIfDeletedAsync("employee", row, cancellationToken);
        }
    }

    /// <summary>Orders in a business-time window from <c>ordersBulk</c>, by <c>page</c> and <c>pageSize</c>; each page is committed.</summary>
    public async Task OrdersAsync(string startDate, string endDate, int pageSize, CancellationToken cancellationToken)
    {
        var request = Request("orders/v2/ordersBulk");
        request.Query["startDate"] = startDate;
        request.Query["endDate"] = endDate;
        var paginator = new PageNumberPaginator { PageSizeParameter = "pageSize", PageSize = pageSize };
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            foreach (var order in page.Records)
            {
                foreach (var (table, row) in ToastRows.Order(order, restaurantId))
                {
                    await context.UpsertAsync(table, row, cancellationToken);
                    if (table is "orders" or "orders_check" or "payment")
                    {
                        await DeleteIfDeletedAsync(table, row, cancellationToken);
                    }
                }
            }

            await context.CheckpointAsync(state, cancellationToken);
        }
    }

    // Toast marks deleted (voided) records with "deleted": true; the original upserts them, then deletes them.
    private async Task DeleteIfDeletedAsync(string table, JsonObject row, CancellationToken cancellationToken)
    {
        if (row["deleted"]?.GetValue<bool>() == true)
        {
            await context.DeleteAsync(table, new JsonObject { ["id"] = row["id"]?.DeepClone() }, cancellationToken);
        }
    }
}

using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Connectors.Playground;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.OffsetPagination;

/// <summary>
/// Offset pagination: the users changed since the last sync, requested with <c>offset</c> and <c>limit</c> until
/// <c>offset + limit</c> reaches the response's <c>total</c>, and a checkpoint of the last <c>updatedAt</c> after each page.
/// </summary>
[Connector("offset_pagination", Description = "Users changed since the last sync, in offset/limit pages until the total, a checkpoint per page.")]
public sealed partial class OffsetPaginationConnector : Connector
{
    private const int PageSize = 50;

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => PlaygroundUsers.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = context.ReadState<UsersCursor>();
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = context.Configuration.GetUri("base_url", "http://127.0.0.1:5001/"),
        });

        var request = new RestRequest("pagination/offset") { RecordsPath = "data" };
        request.Query["order_by"] = "updatedAt";
        request.Query["order_type"] = "asc";
        request.Query["updated_since"] = state.LastUpdatedAt;

        // offset starts at 0 and grows by limit; the response's total says when to stop (a short page also does).
        var paginator = new OffsetPaginator { Limit = PageSize, TotalPath = "total" };
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            LogPage(context.Logger, page.Count, page.Uri);
            foreach (var user in page.Records)
            {
                await context.UpsertAsync(PlaygroundUsers.Table, user, cancellationToken);

                // The API sorts by updatedAt ascending, so the last user read is the newest.
                state.LastUpdatedAt = user["updatedAt"]?.GetValue<string>() ?? state.LastUpdatedAt;
            }

            // One checkpoint per page: a failure on a later page resumes from here.
            await context.CheckpointAsync(state, cancellationToken);
        }
    }

    /// <summary>The state: the <c>updatedAt</c> of the newest user synced, Fivetran's <c>last_updated_at</c>.</summary>
    internal sealed class UsersCursor
    {
        [JsonPropertyName("last_updated_at")]
        public string LastUpdatedAt { get; set; } = "0001-01-01T00:00:00Z";
    }

    [LoggerMessage(EventId = 2210, Level = LogLevel.Information, Message = "Read {Count} users from {Uri}")]
    private static partial void LogPage(ILogger logger, int count, Uri uri);
}

using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Connectors.Playground;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.KeysetPagination;

/// <summary>
/// Keyset pagination: the users changed since the last sync, the first page asked for with <c>updated_since</c> and
/// each next one with the opaque <c>scroll_param</c> the previous response carried, until a response carries none; a
/// checkpoint of the last <c>updatedAt</c> after each page.
/// </summary>
[Connector("keyset_pagination", Description = "Users changed since the last sync, following the scroll_param keyset cursor, a checkpoint per page.")]
public sealed partial class KeysetPaginationConnector : Connector
{

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

        // The first request carries the filter; the API's scroll token carries it from then on.
        var request = new RestRequest("pagination/keyset") { RecordsPath = "data" };
        request.Query["updated_since"] = state.LastUpdatedAt;

        // Each next page is asked for with the response's scroll_param; no scroll_param (or an empty page) ends it.
        var paginator = new KeysetPaginator { CursorParameter = "scroll_param", CursorPath = "scroll_param" };
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            LogPage(context.Logger, page.Count, page.Envelope["scroll_param"] is not null);
            foreach (var user in page.Records)
            {
                await context.UpsertAsync(PlaygroundUsers.Table, user, cancellationToken);

                // The API returns users by updatedAt ascending, so the last user read is the newest.
                state.LastUpdatedAt = user["updatedAt"]?.GetValue<string>() ?? state.LastUpdatedAt;
            }

            // One checkpoint per page. The scroll token is not saved: it belongs to this sync's scroll, and the next
            // sync (or a rerun after a failure) starts a new one from last_updated_at.
            await context.CheckpointAsync(state, cancellationToken);
        }
    }

    /// <summary>The state: the <c>updatedAt</c> of the newest user synced, Fivetran's <c>last_updated_at</c>.</summary>
    internal sealed class UsersCursor
    {
        [JsonPropertyName("last_updated_at")]
        public string LastUpdatedAt { get; set; } = "0001-01-01T00:00:00Z";
    }

    [LoggerMessage(EventId = 2220, Level = LogLevel.Information, Message = "Read {Count} users; more to scroll: {HasMore}")]
    private static partial void LogPage(ILogger logger, int count, bool hasMore);
}

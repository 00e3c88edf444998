using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Playground;

/// <summary>
/// What the examples that read the playground's users share, as Fivetran's originals do: the <c>user</c> table (every
/// pagination and authentication example), and for the authentication examples (<c>api_key</c>, <c>http_basic</c>,
/// <c>http_bearer</c>, <c>session_token</c>) an incremental read of it, page by page, behind whichever authenticator the
/// example shows, so that each of those examples' own file holds only its credentials.
/// </summary>
internal static partial class PlaygroundUsers
{
    public const string Table = "user";

    /// <summary>The <c>user</c> table (<see cref="Table"/>): key <c>id</c>, its columns' types forced.</summary>
    public static IEnumerable<TableDefinition> Schema =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["id"] = ColumnType.String,
                ["name"] = ColumnType.String,
                ["email"] = ColumnType.String,
                ["address"] = ColumnType.String,
                ["company"] = ColumnType.String,
                ["job"] = ColumnType.String,
                ["updatedAt"] = ColumnType.UtcDateTime,
                ["createdAt"] = ColumnType.UtcDateTime,
            },
        },
    ];

    /// <summary>The API's root: configuration <c>base_url</c>, by default the playground's <c>http://127.0.0.1:5001/</c>.</summary>
    public static Uri BaseAddress(ConnectorConfiguration configuration) => configuration.GetUri("base_url", "http://127.0.0.1:5001/");

    /// <summary>
    /// Reads the users at <paramref name="path"/> updated since the last sync, <c>page_size</c> a page until <c>total_pages</c>,
    /// and checkpoints after every page.
    /// </summary>
    public static async Task SyncAsync(SyncContext context, RestClient client, string path, CancellationToken cancellationToken)
    {
        var state = context.ReadState<UsersState>();
        LogReading(context.Logger, state.LastUpdatedAt ?? "the beginning");
        var request = new RestRequest(path) { RecordsPath = "data" };
        if (state.LastUpdatedAt is not null)
        {
            // Inclusive: a user updated in the same second as the last one synced is read again, never missed.
            request.Query["updated_since"] = state.LastUpdatedAt;
        }

        var paginator = new PageNumberPaginator
        {
            PageSizeParameter = "per_page",
            PageSize = context.Configuration.GetInt32("page_size", 100),
            TotalPagesPath = "total_pages",
        };
        var count = 0;
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            foreach (var user in page.Records)
            {
                await context.UpsertAsync(Table, user, cancellationToken);
            }

            count += page.Count;
            // Users come in updatedAt order, so the page's last one is the high-water mark of everything up to here.
            state.LastUpdatedAt = (string?)page.LastRecord?["updatedAt"] ?? state.LastUpdatedAt;
            await context.CheckpointAsync(state, cancellationToken);
        }

        LogSynced(context.Logger, count);
    }

    [LoggerMessage(EventId = 2190, Level = LogLevel.Information, Message = "Reading users updated since {Since}")]
    private static partial void LogReading(ILogger logger, string since);

    [LoggerMessage(EventId = 2191, Level = LogLevel.Information, Message = "Synced {Count} users")]
    private static partial void LogSynced(ILogger logger, int count);

    /// <summary>The saved state: the <c>updatedAt</c> of the last user synced (Fivetran's <c>last_updated_at</c>).</summary>
    private sealed class UsersState
    {
        [JsonPropertyName("last_updated_at")]
        public string? LastUpdatedAt { get; set; }
    }
}

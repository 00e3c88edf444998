using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.ApiKey;

/// <summary>
/// API key authentication: the key is a secret, sent in the <c>Authorization</c> header (<c>apiKey &lt;key&gt;</c>) or,
/// for APIs that want it there, in the query string. Users are read page by page, only those updated since the last sync.
/// </summary>
[Connector("api_key", Description = "Users from an API that takes an API key (header or query), read incrementally by updatedAt.")]
public sealed partial class ApiKeyConnector : Connector
{
    private const string Table = "user";
    private const string DefaultBaseUrl = "http://127.0.0.1:5001/";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
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

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var key = await context.GetSecretAsync("api_key", cancellationToken);
        var authenticator = configuration.GetString("api_key_location", "header") switch
        {
            "header" => ApiKeyAuthenticator.InHeader("Authorization", key, scheme: "apiKey"),
            "query" => ApiKeyAuthenticator.InQuery("api_key", key),
            var other => throw new ConfigurationException(
                $"Configuration key 'api_key_location' has value '{other}'; expected one of: header, query."),
        };

        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = BaseAddress(configuration),
            Authenticator = authenticator,
        });

        var state = context.ReadState<UsersState>();
        LogReading(context.Logger, state.LastUpdatedAt ?? "the beginning");
        var request = new RestRequest("auth/api_key") { RecordsPath = "data" };
        if (state.LastUpdatedAt is not null)
        {
            // Inclusive: a user updated in the same second as the last one synced is read again, never missed.
            request.Query["updated_since"] = state.LastUpdatedAt;
        }

        var paginator = new PageNumberPaginator
        {
            PageSizeParameter = "per_page",
            PageSize = configuration.GetInt32("page_size", 100),
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

    private static Uri BaseAddress(ConnectorConfiguration configuration)
    {
        var uri = configuration.TryGetValue("base_url", out var text) && !string.IsNullOrWhiteSpace(text)
            ? configuration.GetUri("base_url")
            : new Uri(DefaultBaseUrl);
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Reading users updated since {Since}")]
    private static partial void LogReading(ILogger logger, string since);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Synced {Count} users")]
    private static partial void LogSynced(ILogger logger, int count);

    /// <summary>The saved state: the <c>updatedAt</c> of the last user synced.</summary>
    private sealed class UsersState
    {
        [JsonPropertyName("last_updated_at")]
        public string? LastUpdatedAt { get; set; }
    }
}

using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.OAuth2WithTokenRefresh;

/// <summary>
/// OAuth 2.0 with a refresh token, against HubSpot's legacy contacts and companies APIs. The connector never holds an access
/// token of its own: the toolkit trades the refresh token (a secret) for one at HubSpot's token endpoint, reuses it until it
/// expires, refreshes it early after a 401, and writes a rotated refresh token back to the secret store before using the
/// new access token. The first sync reads every contact and company; later ones only what changed since the last.
/// </summary>
[Connector(
    "oauth2_with_token_refresh",
    Description = "HubSpot contacts and companies with OAuth 2.0: an access token from a refresh token, rotated and written back.")]
public sealed partial class OAuth2WithTokenRefreshConnector : Connector
{
    private const string DefaultBaseUrl = "https://api.hubapi.com/";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(HubSpotContacts.Table)
        {
            PrimaryKey = ["vid"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["vid"] = ColumnType.Long,
                ["lastmodifieddate"] = ColumnType.String,
                ["firstname"] = ColumnType.String,
                ["company"] = ColumnType.String,
                ["email"] = ColumnType.String,
            },
        },
        new TableDefinition(HubSpotCompanies.Table)
        {
            PrimaryKey = ["companyId"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["companyId"] = ColumnType.Long,
                ["name"] = ColumnType.String,
                ["timestamp"] = ColumnType.Long,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var baseAddress = BaseAddress(configuration);
        var clientId = configuration.GetString("client_id");
        var clientSecret = await context.GetSecretAsync("client_secret", cancellationToken);

        // The refresh token is read from secret "refresh_token" by the authenticator itself, so a rotated one is always current.
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = baseAddress,
            Authenticator = new OAuth2RefreshTokenAuthenticator(context, new Uri(baseAddress, "oauth/v1/token"), clientId, clientSecret)
            {
                // HubSpot takes the client credentials as form fields beside the refresh token.
                CredentialsInBody = true,
            },
        });

        var state = context.ReadState<HubSpotState>();
        var syncStart = context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var contacts = new HubSpotContacts(client, context, configuration.GetInt32("contacts_page_size", 100));
        var companies = new HubSpotCompanies(client, context, configuration.GetInt32("companies_page_size", 250));
        if (state.LastUpdatedAt is { } since)
        {
            LogIncremental(context.Logger, since);
            await contacts.SyncChangedAsync(since, state, cancellationToken);
            await companies.SyncChangedAsync(since, state, cancellationToken);
        }
        else
        {
            LogFull(context.Logger);
            await contacts.SyncAllAsync(state, cancellationToken);
            await companies.SyncAllAsync(state, cancellationToken);
        }

        // Both tables are complete up to the moment this sync started: changes after it are the next sync's.
        state.LastUpdatedAt = syncStart;
        await context.CheckpointAsync(state, cancellationToken);
    }

    private static Uri BaseAddress(ConnectorConfiguration configuration)
    {
        var uri = configuration.TryGetValue("base_url", out var text) && !string.IsNullOrWhiteSpace(text)
            ? configuration.GetUri("base_url")
            : new Uri(DefaultBaseUrl);
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    [LoggerMessage(EventId = 2140, Level = LogLevel.Information, Message = "First sync: reading every contact and company")]
    private static partial void LogFull(ILogger logger);

    [LoggerMessage(EventId = 2141, Level = LogLevel.Information, Message = "Reading contacts and companies modified since {SinceUnixMs} (Unix ms)")]
    private static partial void LogIncremental(ILogger logger, long sinceUnixMs);
}

/// <summary>
/// The saved state: when the last complete sync started, in Unix milliseconds (HubSpot's timestamps); absent before the
/// first. Checkpoints in the middle of a sync save it unchanged, so they commit rows without moving the cursor.
/// </summary>
internal sealed class HubSpotState
{
    [JsonPropertyName("last_updated_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? LastUpdatedAt { get; set; }
}

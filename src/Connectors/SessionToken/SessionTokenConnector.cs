using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.SessionToken;

/// <summary>
/// Session token authentication: the connector logs in with a user name and password (<c>POST login</c>), receives a
/// short-lived token and sends it as <c>Authorization: Token &lt;token&gt;</c>. When the session expires in the middle of a
/// sync the API answers 401; the toolkit logs in again once and resends. Users are read page by page, only those updated
/// since the last sync.
/// </summary>
[Connector("session_token", Description = "Users from an API that issues session tokens at a login endpoint, renewed on 401, read incrementally.")]
public sealed partial class SessionTokenConnector : Connector
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
        var baseAddress = BaseAddress(configuration);
        var userName = configuration.GetString("username");
        var password = await context.GetSecretAsync("password", cancellationToken);
        var loginUri = new Uri(baseAddress, "auth/session_token/login");

        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = baseAddress,
            Authenticator = new SessionTokenAuthenticator((http, ct) => LogInAsync(context.Logger, http, loginUri, userName, password, ct))
            {
                Scheme = "Token",
            },
        });

        var state = context.ReadState<UsersState>();
        LogReading(context.Logger, state.LastUpdatedAt ?? "the beginning");
        var request = new RestRequest("auth/session_token/data") { RecordsPath = "data" };
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
            state.LastUpdatedAt = (string?)page.LastRecord?["updatedAt"] ?? state.LastUpdatedAt;
            await context.CheckpointAsync(state, cancellationToken);
        }

        LogSynced(context.Logger, count);
    }

    /// <summary><c>POST login {"username", "password"}</c> → <c>{"token": "...", "expires_in": seconds}</c>.</summary>
    private static async Task<string> LogInAsync(
        ILogger logger, HttpClient http, Uri loginUri, string userName, string password, CancellationToken cancellationToken)
    {
        LogLoggingIn(logger, loginUri);
        using var response = await http.PostAsJsonAsync(
            loginUri,
            new JsonObject { ["username"] = userName, ["password"] = password },
            cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ConfigurationException(
                $"POST {loginUri} answered {(int)response.StatusCode} {response.ReasonPhrase}: the source refused the user name " +
                $"'{userName}' and the password in secret 'password'. Check both and run the sync again.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new SourceUnavailableException($"POST {loginUri} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return body?["token"]?.GetValue<string>() is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException($"POST {loginUri} answered without a 'token' in its JSON body.");
    }

    private static Uri BaseAddress(ConnectorConfiguration configuration)
    {
        var uri = configuration.TryGetValue("base_url", out var text) && !string.IsNullOrWhiteSpace(text)
            ? configuration.GetUri("base_url")
            : new Uri(DefaultBaseUrl);
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    [LoggerMessage(EventId = 2130, Level = LogLevel.Information, Message = "Reading users updated since {Since}")]
    private static partial void LogReading(ILogger logger, string since);

    [LoggerMessage(EventId = 2131, Level = LogLevel.Information, Message = "Synced {Count} users")]
    private static partial void LogSynced(ILogger logger, int count);

    [LoggerMessage(EventId = 2132, Level = LogLevel.Information, Message = "Logging in at {LoginUri} for a session token")]
    private static partial void LogLoggingIn(ILogger logger, Uri loginUri);

    /// <summary>The saved state: the <c>updatedAt</c> of the last user synced.</summary>
    private sealed class UsersState
    {
        [JsonPropertyName("last_updated_at")]
        public string? LastUpdatedAt { get; set; }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Connectors.Playground;
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
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => PlaygroundUsers.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var baseAddress = PlaygroundUsers.BaseAddress(configuration);
        var userName = configuration.GetString("username");
        var password = await context.GetSecretAsync("password", cancellationToken);
        var loginUri = new Uri(baseAddress.AbsoluteUri.TrimEnd('/') + "/auth/session_token/login");

        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = baseAddress,
            Authenticator = new SessionTokenAuthenticator((http, ct) => LogInAsync(context.Logger, http, loginUri, userName, password, ct))
            {
                Scheme = "Token",
            },
        });

        await PlaygroundUsers.SyncAsync(context, client, "auth/session_token/data", cancellationToken);
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

    [LoggerMessage(EventId = 2132, Level = LogLevel.Information, Message = "Logging in at {LoginUri} for a session token")]
    private static partial void LogLoggingIn(ILogger logger, Uri loginUri);
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.VeevaVault;

/// <summary>
/// Calls to one Vault with a session from <c>POST /api/{version}/auth</c>. Vault answers most errors with HTTP 200 and
/// <c>"responseStatus": "FAILURE"</c>, so every answer is checked here: an expired session (<c>INVALID_SESSION_ID</c>)
/// logs in again once, and any other failure is the error it is.
/// </summary>
internal sealed partial class VaultSession(SyncContext context, Uri apiRoot, string userName, string password) : IDisposable
{
    private RestClient? _client;

    public void Dispose() => _client?.Dispose();

    /// <summary>Sends <paramref name="request"/> and returns its body once Vault says SUCCESS.</summary>
    public async Task<JsonObject> SendAsync(RestRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            _client ??= CreateClient();
            var body = await _client.GetJsonAsync(request, cancellationToken) as JsonObject
                ?? throw new InvalidOperationException($"{request.Method} {request.Path} answered a body that is not a JSON object.");
            if (body["responseStatus"]?.GetValue<string>() == "SUCCESS")
            {
                return body;
            }

            var (type, message) = FirstError(body);
            if (type == "INVALID_SESSION_ID" && attempt == 1)
            {
                // The session timed out: a new client logs in again on its first request.
                LogSessionExpired(context.Logger, request.Path);
                _client.Dispose();
                _client = null;
                continue;
            }

            var text = $"{request.Method} {request.Path} answered responseStatus {body["responseStatus"]}: {type}: {message}";
            throw type is "INVALID_SESSION_ID" or "INSUFFICIENT_ACCESS" or "USERNAME_OR_PASSWORD_INCORRECT"
                ? new ConfigurationException(text)
                : new InvalidOperationException(text);
        }
    }

    private RestClient CreateClient() => new(context, new RestClientOptions
    {
        BaseAddress = apiRoot,
        // Vault takes the bare session id: "Authorization: <sessionId>".
        Authenticator = new SessionTokenAuthenticator(LoginAsync) { Scheme = null },
        // VQL queries are POSTs that only read: retrying one is safe.
        RetryUnsafeMethods = true,
    });

    private async Task<string> LoginAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var auth = new Uri(apiRoot, "auth");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = userName, ["password"] = password });
        using var response = await http.PostAsync(auth, form, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var refused = $"POST {auth} answered {(int)response.StatusCode} {response.ReasonPhrase}: the Vault refused the login of '{userName}'.";
            throw (int)response.StatusCode is 401 or 403 ? new ConfigurationException(refused) : new SourceUnavailableException(refused);
        }

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
        if (body?["responseStatus"]?.GetValue<string>() != "SUCCESS" || body["sessionId"]?.GetValue<string>() is not { Length: > 0 } sessionId)
        {
            var (type, message) = body is null ? ("", "the body is not a JSON object") : FirstError(body);
            throw new ConfigurationException(
                $"POST {auth} refused the login of '{userName}': {type}: {message}. Check the configuration's username and the password secret.");
        }

        return sessionId;
    }

    private static (string Type, string Message) FirstError(JsonObject body)
    {
        var error = body["errors"]?.AsArray().FirstOrDefault();
        return (error?["type"]?.GetValue<string>() ?? "UNKNOWN", error?["message"]?.GetValue<string>() ?? "no message");
    }

    [LoggerMessage(EventId = 2421, Level = LogLevel.Warning, Message = "The Vault session expired during {Path}; logging in again")]
    private static partial void LogSessionExpired(ILogger logger, string path);
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tributary.Sdk;

namespace Tributary.Connectors.Toast;

/// <summary>Toast's machine-client login: <c>POST /authentication/v1/authentication/login</c> with the client id and
/// secret in a JSON body, answering <c>token.accessToken</c>, used as a Bearer token until Toast answers 401.</summary>
internal sealed class ToastLogin(ToastSettings settings, string clientSecret)
{
    public async Task<string> LoginAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var uri = new Uri(settings.BaseUrl, "authentication/v1/authentication/login");
        var body = new JsonObject { ["clientId"] = settings.ClientId, ["clientSecret"] = clientSecret, ["userAccessType"] = settings.UserAccessType };
        using var response = await http.PostAsJsonAsync(uri, body, cancellationToken);
        if ((int)response.StatusCode is 400 or 401 or 403)
        {
            throw new ConfigurationException(
                $"POST {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}: Toast refused the login of client '{settings.ClientId}'. Check clientId and the clientSecret secret.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new SourceUnavailableException($"POST {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return answer?["token"]?["accessToken"]?.GetValue<string>() is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException($"POST {uri} answered no token.accessToken.");
    }
}

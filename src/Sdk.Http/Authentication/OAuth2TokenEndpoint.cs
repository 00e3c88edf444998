using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Sdk.Http;

/// <summary>An OAuth 2.0 token endpoint (RFC 6749 §3.2): a form POST with the client's credentials, a JSON answer.</summary>
internal static class OAuth2TokenEndpoint
{
    /// <summary>Marks a request every failure of which may be retried, whatever its method.</summary>
    public static readonly HttpRequestOptionsKey<bool> AlwaysRetry = new("Tributary.Http.AlwaysRetry");

    /// <summary>The token endpoint's answer.</summary>
    public sealed record Answer(string AccessToken, DateTimeOffset? ExpiresAt, string? RefreshToken);

    public static async Task<Answer> RequestAsync(
        AuthenticationChannel channel,
        Uri endpoint,
        string clientId,
        string clientSecret,
        bool credentialsInBody,
        IEnumerable<KeyValuePair<string, string>> form,
        CancellationToken cancellationToken)
    {
        var fields = new List<KeyValuePair<string, string>>(form);
        var grant = fields.First(f => f.Key == "grant_type").Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (credentialsInBody)
        {
            fields.Add(new("client_id", clientId));
            fields.Add(new("client_secret", clientSecret));
        }
        else
        {
            // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined for Basic.
            var pair = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        request.Content = new FormUrlEncodedContent(fields);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Options.Set(AlwaysRetry, true);

        HttpResponseMessage response;
        try
        {
            response = await channel.Http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceUnavailableException($"The token endpoint {endpoint} could not be reached ({grant} grant): {ex.Message}", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw Refused(endpoint, grant, response.StatusCode, body);
            }

            try
            {
                var json = JsonNode.Parse(body) as JsonObject;
                var accessToken = json?["access_token"]?.GetValue<string>();
                if (string.IsNullOrEmpty(accessToken))
                {
                    throw new RestException($"The token endpoint {endpoint} answered the {grant} grant without an access_token.", endpoint, null);
                }

                var expiresIn = json!["expires_in"] is JsonValue seconds
                    ? seconds.TryGetValue<long>(out var n) ? n : long.TryParse(seconds.ToString(), out var parsed) ? parsed : (long?)null
                    : null;
                return new Answer(
                    accessToken,
                    expiresIn is { } lifetime ? channel.Time.GetUtcNow().AddSeconds(lifetime) : null,
                    json["refresh_token"]?.GetValue<string>());
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                throw new RestException($"The token endpoint {endpoint} answered the {grant} grant with a body that is not a token response.", endpoint, null, ex);
            }
        }
    }

    // 400 invalid_grant / invalid_client and 401 are the credentials: a configuration problem no retry fixes.
    private static Exception Refused(Uri endpoint, string grant, HttpStatusCode status, string body)
    {
        string? error = null, description = null;
        try
        {
            var json = JsonNode.Parse(body) as JsonObject;
            error = json?["error"]?.ToString();
            description = json?["error_description"]?.ToString();
        }
        catch (JsonException)
        {
            // Not an RFC 6749 error body; the status says enough.
        }

        var what = error is null ? string.Empty : description is null ? $" ({error})" : $" ({error}: {description})";
        var message = $"The token endpoint {endpoint} refused the {grant} grant with {(int)status} {status}{what}.";
        return (int)status is >= 500 or 429 or 408
            ? new SourceUnavailableException(message)
            : new ConfigurationException(message + " Check the connection's client credentials and tokens.");
    }
}

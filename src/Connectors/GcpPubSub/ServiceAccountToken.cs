using System.Security.Cryptography;
using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Util;
using Tributary.Sdk;

namespace Tributary.Connectors.GcpPubSub;

/// <summary>
/// Access tokens for a Google service account, from Google.Apis.Auth: a JWT assertion signed with the key's private key
/// is exchanged at the key's <c>token_uri</c> for a bearer token (RFC 7523), reused until it nears its expiry on the sync's
/// clock. A refused key becomes a <see cref="ConfigurationException"/> that says so without repeating the key.
/// </summary>
internal sealed class ServiceAccountToken
{
    private const string PubSubScope = "https://www.googleapis.com/auth/pubsub";

    private readonly ServiceAccountCredential _credential;
    private readonly string _clientEmail;
    private readonly string _tokenUri;

    private ServiceAccountToken(ServiceAccountCredential credential, string clientEmail, string tokenUri, string projectId)
    {
        _credential = credential;
        _clientEmail = clientEmail;
        _tokenUri = tokenUri;
        ProjectId = projectId;
    }

    /// <summary>The key's project: where the subscription lives.</summary>
    public string ProjectId { get; }

    /// <summary>Reads a service-account key file's JSON (the <c>service_key</c> secret).</summary>
    /// <exception cref="ConfigurationException">The JSON is not a service-account key, or a field is missing.</exception>
    public static ServiceAccountToken FromKey(string json, TimeProvider time)
    {
        JsonElement key;
        try
        {
            key = JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            // The message of a JSON error may quote the text: only its position is kept.
            throw new ConfigurationException($"The secret 'service_key' is not valid JSON (line {ex.LineNumber + 1}); paste the service account's key file whole.");
        }

        if (Field(key, "type") != "service_account")
        {
            throw new ConfigurationException("The secret 'service_key' is not a service account key: its 'type' must be 'service_account'.");
        }

        var projectId = Required(key, "project_id");
        var clientEmail = Required(key, "client_email");
        var tokenUri = Field(key, "token_uri") ?? GoogleAuthConsts.OidcTokenUrl;
        try
        {
            var initializer = new ServiceAccountCredential.Initializer(clientEmail, tokenUri)
            {
                Scopes = [PubSubScope],
                KeyId = Field(key, "private_key_id"),
                ProjectId = projectId,
                Clock = new TimeProviderClock(time),
            }.FromPrivateKey(Required(key, "private_key"));
            return new ServiceAccountToken(new ServiceAccountCredential(initializer), clientEmail, tokenUri, projectId);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or FormatException)
        {
            throw new ConfigurationException($"The 'private_key' of the secret 'service_key' ({clientEmail}) is not a PEM-encoded RSA private key.");
        }
    }

    /// <summary>A valid access token: the cached one, or a new one from the token endpoint.</summary>
    /// <exception cref="ConfigurationException">The token endpoint refused the key.</exception>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
        }
        catch (TokenResponseException ex)
        {
            throw new ConfigurationException(
                $"Google's token endpoint {_tokenUri} refused the service account key of {_clientEmail}: {ex.Error?.Error} ({ex.Error?.ErrorDescription}). Check the connection's secret 'service_key': a deleted or disabled key, or a wrong one.",
                ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceUnavailableException($"Google's token endpoint {_tokenUri} could not be reached: {ex.Message}", ex);
        }
    }

    private static string? Field(JsonElement key, string name) =>
        key.ValueKind == JsonValueKind.Object && key.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Required(JsonElement key, string name) =>
        Field(key, name) is { Length: > 0 } value ? value : throw new ConfigurationException($"The secret 'service_key' has no '{name}'; paste the service account's key file whole.");

    /// <summary>Google.Apis.Auth's clock on the sync's: token expiry and the assertion's times follow the sync's time.</summary>
    private sealed class TimeProviderClock(TimeProvider time) : IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;

        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }
}

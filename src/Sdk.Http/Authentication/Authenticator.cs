namespace Tributary.Sdk.Http;

/// <summary>
/// How a <see cref="RestClient"/> proves who it is: <see cref="ApiKeyAuthenticator"/>, <see cref="BasicAuthenticator"/>,
/// <see cref="BearerAuthenticator"/>, <see cref="SessionTokenAuthenticator"/>, <see cref="OAuth2ClientCredentialsAuthenticator"/>
/// and <see cref="OAuth2RefreshTokenAuthenticator"/>. One instance serves one client. After a 401 the client asks the
/// authenticator to renew its credentials once and sends the request again; a 401 or 403 that persists fails the sync
/// with a <see cref="ConfigurationException"/>.
/// </summary>
public abstract class Authenticator
{
    private protected Authenticator()
    {
    }

    /// <summary>A query parameter that carries a secret, masked in every URI the toolkit reports; null when none.</summary>
    internal virtual string? SecretQueryParameter => null;

    /// <summary>Adds the credentials to a request; called before every attempt.</summary>
    internal abstract ValueTask ApplyAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken);

    /// <summary>After a 401 to <paramref name="rejected"/>: gets fresh credentials; false when there is nothing to renew.</summary>
    internal virtual ValueTask<bool> RenewAsync(HttpRequestMessage rejected, AuthenticationChannel channel, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);
}

/// <summary>What an authenticator that calls the source itself (a login, a token endpoint) calls it with.</summary>
/// <param name="Http">A client with the <see cref="RestClient"/>'s limits, retries (for every method) and certificate, without authentication.</param>
/// <param name="Time">The client's clock, for token expiry.</param>
internal sealed record AuthenticationChannel(HttpClient Http, TimeProvider Time);

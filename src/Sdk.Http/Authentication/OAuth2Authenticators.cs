namespace Tributary.Sdk.Http;

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 §4.4): a token from the token endpoint, reused until shortly before its
/// <c>expires_in</c>, renewed then and after a 401. The token goes in <c>Authorization: Bearer</c>.
/// </summary>
public sealed class OAuth2ClientCredentialsAuthenticator : Authenticator, IDisposable
{
    private readonly TokenCache _tokens;

    /// <summary>Creates the authenticator.</summary>
    /// <param name="tokenEndpoint">The token endpoint.</param>
    /// <param name="clientId">The client id.</param>
    /// <param name="clientSecret">The client secret.</param>
    public OAuth2ClientCredentialsAuthenticator(Uri tokenEndpoint, string clientId, string clientSecret)
    {
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        _tokens = new TokenCache(async (channel, cancellationToken) =>
        {
            List<KeyValuePair<string, string>> form = [new("grant_type", "client_credentials")];
            if (Scope is not null)
            {
                form.Add(new("scope", Scope));
            }

            var answer = await OAuth2TokenEndpoint.RequestAsync(channel, tokenEndpoint, clientId, clientSecret, CredentialsInBody, form, cancellationToken);
            return new IssuedToken(answer.AccessToken, answer.ExpiresAt);
        });
    }

    /// <summary>The scope asked for; none when null.</summary>
    public string? Scope { get; init; }

    /// <summary>Whether the client id and secret go in the form body; false (the default): HTTP Basic, as RFC 6749 §2.3.1 prefers.</summary>
    public bool CredentialsInBody { get; init; }

    /// <inheritdoc />
    public void Dispose() => _tokens.Dispose();

    internal override async ValueTask ApplyAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken) =>
        request.Headers.Authorization = new("Bearer", await _tokens.GetAsync(request, channel, cancellationToken));

    internal override ValueTask<bool> RenewAsync(HttpRequestMessage rejected, AuthenticationChannel channel, CancellationToken cancellationToken) =>
        _tokens.RenewAsync(rejected, channel, cancellationToken);
}

/// <summary>
/// OAuth 2.0 with a refresh token (RFC 6749 §6): the refresh token is read from a secret of the connection, exchanged for an
/// access token, and — when the source rotates it — the new refresh token is written back to that secret before the new
/// access token is used, so a sync that stops anywhere after the exchange leaves a refresh token that works. The access
/// token is reused until shortly before its <c>expires_in</c>, renewed then and after a 401.
/// </summary>
public sealed class OAuth2RefreshTokenAuthenticator : Authenticator, IDisposable
{
    private readonly TokenCache _tokens;
    private string? _refreshToken;

    /// <summary>Creates the authenticator.</summary>
    /// <param name="context">The sync: where the refresh token is read from and written back to.</param>
    /// <param name="tokenEndpoint">The token endpoint.</param>
    /// <param name="clientId">The client id.</param>
    /// <param name="clientSecret">The client secret.</param>
    /// <param name="refreshTokenSecret">The name of the secret that holds the refresh token.</param>
    public OAuth2RefreshTokenAuthenticator(SyncContext context, Uri tokenEndpoint, string clientId, string clientSecret, string refreshTokenSecret = "refresh_token")
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        ArgumentException.ThrowIfNullOrEmpty(refreshTokenSecret);
        _tokens = new TokenCache(async (channel, cancellationToken) =>
        {
            var refreshToken = _refreshToken ??= await context.GetSecretAsync(refreshTokenSecret, cancellationToken);
            var answer = await OAuth2TokenEndpoint.RequestAsync(
                channel,
                tokenEndpoint,
                clientId,
                clientSecret,
                CredentialsInBody,
                [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)],
                cancellationToken);
            if (answer.RefreshToken is { Length: > 0 } rotated && rotated != refreshToken)
            {
                // The old refresh token is spent: keep the new one before anything can stop the sync.
                await context.SetSecretAsync(refreshTokenSecret, rotated, CancellationToken.None);
                _refreshToken = rotated;
            }

            return new IssuedToken(answer.AccessToken, answer.ExpiresAt);
        });
    }

    /// <summary>Whether the client id and secret go in the form body; false (the default): HTTP Basic, as RFC 6749 §2.3.1 prefers.</summary>
    public bool CredentialsInBody { get; init; }

    /// <inheritdoc />
    public void Dispose() => _tokens.Dispose();

    internal override async ValueTask ApplyAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken) =>
        request.Headers.Authorization = new("Bearer", await _tokens.GetAsync(request, channel, cancellationToken));

    internal override ValueTask<bool> RenewAsync(HttpRequestMessage rejected, AuthenticationChannel channel, CancellationToken cancellationToken) =>
        _tokens.RenewAsync(rejected, channel, cancellationToken);
}

namespace Tributary.Sdk.Http;

/// <summary>
/// A session token from a login call: logs in when the first request needs a token, again when <see cref="Lifetime"/> has
/// passed, and after a 401. The token goes in <c><see cref="HeaderName"/>: [<see cref="Scheme"/> ]token</c>.
/// </summary>
public sealed class SessionTokenAuthenticator : Authenticator, IDisposable
{
    private readonly TokenCache _tokens;

    /// <summary>Creates the authenticator.</summary>
    /// <param name="login">Logs in and returns the token. The <see cref="HttpClient"/> it is given has the client's limits,
    /// retries and certificate, but no authentication; a refused login should throw <see cref="ConfigurationException"/>.</param>
    public SessionTokenAuthenticator(Func<HttpClient, CancellationToken, Task<string>> login)
    {
        ArgumentNullException.ThrowIfNull(login);
        _tokens = new TokenCache(async (channel, cancellationToken) => new IssuedToken(
            await login(channel.Http, cancellationToken),
            Lifetime is { } lifetime ? channel.Time.GetUtcNow() + lifetime : null));
    }

    /// <summary>The header that carries the token; <c>Authorization</c> unless set.</summary>
    public string HeaderName { get; init; } = "Authorization";

    /// <summary>The word before the token (<c>Bearer</c>, the default); null: the token alone.</summary>
    public string? Scheme { get; init; } = "Bearer";

    /// <summary>How long a session lasts, when the source says; null: until the source answers 401.</summary>
    public TimeSpan? Lifetime { get; init; }

    /// <inheritdoc />
    public void Dispose() => _tokens.Dispose();

    internal override async ValueTask ApplyAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAsync(request, channel, cancellationToken);
        request.Headers.Remove(HeaderName);
        request.Headers.TryAddWithoutValidation(HeaderName, Scheme is null ? token : $"{Scheme} {token}");
    }

    internal override ValueTask<bool> RenewAsync(HttpRequestMessage rejected, AuthenticationChannel channel, CancellationToken cancellationToken) =>
        _tokens.RenewAsync(rejected, channel, cancellationToken);
}

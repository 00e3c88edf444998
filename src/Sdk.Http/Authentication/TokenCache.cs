namespace Tributary.Sdk.Http;

/// <summary>A token an authenticator obtained, and when it stops being valid (null: until the source refuses it).</summary>
internal sealed record IssuedToken(string Value, DateTimeOffset? ExpiresAt);

/// <summary>
/// The current token of a session or OAuth authenticator: obtained on first use, reused until shortly before it expires,
/// renewed after a 401. One renewal at a time: parallel requests refused with the same token renew it once.
/// </summary>
internal sealed class TokenCache(Func<AuthenticationChannel, CancellationToken, Task<IssuedToken>> issue) : IDisposable
{
    // A token this close to its expiry is renewed before use, so it cannot expire in flight.
    private static readonly TimeSpan ExpirySkew = TimeSpan.FromSeconds(30);
    private static readonly HttpRequestOptionsKey<string> UsedToken = new("Tributary.Http.Token");

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IssuedToken? _current;

    /// <summary>A valid token, obtained when there is none; remembered on <paramref name="request"/> for <see cref="RenewAsync"/>.</summary>
    public async ValueTask<string> GetAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken)
    {
        var token = _current;
        if (!IsValid(token, channel.Time))
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                token = _current;
                if (!IsValid(token, channel.Time))
                {
                    token = _current = await issue(channel, cancellationToken);
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        request.Options.Set(UsedToken, token!.Value);
        return token.Value;
    }

    /// <summary>Replaces the token <paramref name="rejected"/> was sent with, unless another request already did.</summary>
    public async ValueTask<bool> RenewAsync(HttpRequestMessage rejected, AuthenticationChannel channel, CancellationToken cancellationToken)
    {
        rejected.Options.TryGetValue(UsedToken, out var used);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is not null && _current.Value == used)
            {
                _current = await issue(channel, cancellationToken);
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static bool IsValid(IssuedToken? token, TimeProvider time) =>
        token is not null && (token.ExpiresAt is null || time.GetUtcNow() < token.ExpiresAt.Value - ExpirySkew);
}

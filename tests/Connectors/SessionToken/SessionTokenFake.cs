using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Playground;

namespace Tributary.Connectors.Tests.SessionToken;

/// <summary>
/// The session-token endpoints of Fivetran's API playground: <c>POST /auth/session_token/login</c> with
/// <c>{"username", "password"}</c> answers <c>{"token", "expires_in"}</c> (401 for a wrong password), and
/// <c>GET /auth/session_token/data</c> serves the users to <c>Authorization: Token &lt;token&gt;</c> while the session lives:
/// <see cref="Lifetime"/> on the test's clock. An expired or unknown token is 401.
/// </summary>
public sealed class SessionTokenFake : IAsyncDisposable
{
    public const string UserName = "grace";
    public const string Password = "h0pper-COBOL-1959";
    public const string LoginPath = "/auth/session_token/login";
    public const string DataPath = "/auth/session_token/data";

    /// <summary>How long a session lives.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private int _issued;

    private SessionTokenFake(TimeProvider time) => _time = time;

    /// <summary>Whether the login endpoint refuses every password, as after the user's password was changed.</summary>
    public bool PasswordChanged { get; set; }

    /// <summary>Every token issued, in order.</summary>
    public IReadOnlyCollection<string> Tokens => [.. _sessions.Keys];

    public int Logins => _issued;

    /// <summary>The users endpoint and its data.</summary>
    public PlaygroundFake Playground { get; private set; } = null!;

    /// <param name="time">The sessions' clock: the harness's, so a test expires a session by advancing it.</param>
    public static async Task<SessionTokenFake> StartAsync(TimeProvider time)
    {
        var fake = new SessionTokenFake(time);
        fake.Playground = await PlaygroundFake.StartAsync(DataPath, fake.Authorized, app => app.MapPost(LoginPath, fake.LogIn));
        return fake;
    }

    public ValueTask DisposeAsync() => Playground.DisposeAsync();

    private IResult LogIn(JsonObject body)
    {
        if (PasswordChanged || (string?)body["username"] != UserName || (string?)body["password"] != Password)
        {
            return PlaygroundFake.Unauthorized("invalid username or password");
        }

        var n = Interlocked.Increment(ref _issued);
        var token = $"st_{n:D4}_9f8e7d6c5b4a";
        _sessions[token] = _time.GetUtcNow() + Lifetime;
        return Results.Json(new { token, expires_in = (int)Lifetime.TotalSeconds });
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Token ", StringComparison.Ordinal) &&
            _sessions.TryGetValue(header["Token ".Length..], out var expires) &&
            _time.GetUtcNow() < expires;
    }
}

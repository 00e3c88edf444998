using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>
/// The credentials the playground's authentication endpoints accept, one account for every scheme:
/// <list type="bullet">
/// <item><c>GET /auth/api_key</c>: <c>Authorization: apiKey &lt;key&gt;</c> or <c>?api_key=&lt;key&gt;</c>;</item>
/// <item><c>GET /auth/http_basic</c>: <c>Authorization: Basic base64(user:password)</c>;</item>
/// <item><c>GET /auth/http_bearer</c>: <c>Authorization: Bearer &lt;token&gt;</c>;</item>
/// <item><c>POST /auth/session_token/login</c> with <c>{"username", "password"}</c> answers <c>{"token", "expires_in"}</c>,
/// and <c>GET /auth/session_token/data</c> takes <c>Authorization: Token &lt;token&gt;</c> while the session lives
/// (<see cref="SessionLifetime"/> on the clock the fake was given).</item>
/// </list>
/// Anything else is 401 with <c>{"error": "..."}</c>. Thread-safe.
/// </summary>
internal sealed class PlaygroundAuth(TimeProvider time)
{
    public const string ApiKey = "ak_live_7Qm2vX9pL4tR8wZ1";
    public const string BearerToken = "pat_3rT9kLmN2xQ8vB6cZ1wY4";
    public const string UserName = "grace";
    public const string Password = "h0pper-COBOL-1959";

    /// <summary>The schemes, each served at <c>/auth/&lt;scheme&gt;</c>; the session token's users are at its <c>/data</c>.</summary>
    public static readonly IReadOnlyList<string> UserEndpoints = ["/auth/api_key", "/auth/http_basic", "/auth/http_bearer", "/auth/session_token/data"];

    public const string LoginPath = "/auth/session_token/login";

    /// <summary>How long a session lives.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);
    private int _issued;
    private volatile bool _revoked;
    private volatile bool _passwordChanged;

    /// <summary>The <c>Authorization</c> header of a correct HTTP Basic client.</summary>
    public static string BasicHeader => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{Password}"));

    /// <summary>Whether the login endpoint refuses every password, as after the user's password was changed.</summary>
    public bool PasswordChanged
    {
        get => _passwordChanged;
        set => _passwordChanged = value;
    }

    /// <summary>Every session token issued.</summary>
    public IReadOnlyCollection<string> Tokens => [.. _sessions.Keys];

    /// <summary>How many logins succeeded.</summary>
    public int Logins => Volatile.Read(ref _issued);

    /// <summary>Every credential stops working on the users endpoints, as when an operator revokes it; logins still succeed.</summary>
    public void Revoke() => _revoked = true;

    /// <summary>Whether <paramref name="request"/> to the users endpoint <paramref name="endpoint"/> carries a valid credential.</summary>
    public bool Authorized(string endpoint, HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return !_revoked && endpoint switch
        {
            "/auth/api_key" => (header.StartsWith("apiKey ", StringComparison.Ordinal) ? header["apiKey ".Length..] : request.Query["api_key"].ToString()) == ApiKey,
            "/auth/http_basic" => header == BasicHeader,
            "/auth/http_bearer" => header == "Bearer " + BearerToken,
            "/auth/session_token/data" => header.StartsWith("Token ", StringComparison.Ordinal) &&
                _sessions.TryGetValue(header["Token ".Length..], out var expires) &&
                time.GetUtcNow() < expires,
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "Not an authentication endpoint of the playground."),
        };
    }

    /// <summary>The login endpoint: a new session for the right user name and password, 401 otherwise.</summary>
    public IResult LogIn(JsonObject body)
    {
        if (PasswordChanged || (string?)body["username"] != UserName || (string?)body["password"] != Password)
        {
            return Unauthorized("invalid username or password");
        }

        var n = Interlocked.Increment(ref _issued);
        var token = $"st_{n:D4}_9f8e7d6c5b4a";
        _sessions[token] = time.GetUtcNow() + SessionLifetime;
        return Results.Json(new JsonObject { ["token"] = token, ["expires_in"] = (int)SessionLifetime.TotalSeconds });
    }

    /// <summary>401 with a JSON error, as the playground answers a bad credential.</summary>
    public static IResult Unauthorized(string message) =>
        Results.Json(new JsonObject { ["error"] = message }, statusCode: StatusCodes.Status401Unauthorized);
}

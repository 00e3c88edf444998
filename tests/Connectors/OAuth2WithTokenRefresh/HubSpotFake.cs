using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.OAuth2WithTokenRefresh;

/// <summary>
/// HubSpot's OAuth 2.0 token endpoint and legacy CRM APIs on a <see cref="FakeApi"/>. <c>POST /oauth/v1/token</c>
/// (<c>application/x-www-form-urlencoded</c>: <c>grant_type=refresh_token</c>, <c>client_id</c>, <c>client_secret</c>,
/// <c>refresh_token</c>) answers <c>{"token_type", "refresh_token", "access_token", "expires_in"}</c> and, like a rotating
/// server, issues a new refresh token each time and refuses the old one from then on (400 <c>BAD_REFRESH_TOKEN</c>). The CRM
/// routes want <c>Authorization: Bearer &lt;access token&gt;</c>, valid for <see cref="AccessTokenLifetime"/> on the test's clock.
/// </summary>
public sealed class HubSpotFake : IAsyncDisposable
{
    public const string ClientId = "5f1e2d3c-aaaa-4bbb-8ccc-0123456789ab";
    public const string ClientSecret = "cs_8d7c6b5a-4f3e-2d1c-0b9a";
    public const string FirstRefreshToken = "rt_0000_e5d4c3b2a1";
    public const string TokenPath = "/oauth/v1/token";

    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(30);

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new(StringComparer.Ordinal);
    private readonly List<string> _refreshTokensIssued = [FirstRefreshToken];
    private readonly TimeProvider _time;
    private string? _currentRefreshToken = FirstRefreshToken;
    private bool _accessRevoked;

    private HubSpotFake(TimeProvider time) => _time = time;

    public FakeApi Api { get; private set; } = null!;

    public HubSpotCrm Crm { get; } = new();

    /// <summary>Every refresh token issued, the first (given to the operator) included, in order.</summary>
    public IReadOnlyList<string> RefreshTokens
    {
        get
        {
            lock (_gate)
            {
                return [.. _refreshTokensIssued];
            }
        }
    }

    /// <summary>The refresh token the server accepts now; null once revoked.</summary>
    public string? CurrentRefreshToken
    {
        get
        {
            lock (_gate)
            {
                return _currentRefreshToken;
            }
        }
    }

    /// <summary>Every access token issued.</summary>
    public IReadOnlyCollection<string> AccessTokens => [.. _accessTokens.Keys];

    /// <summary>Called after each CRM page is served: a test lets time pass in the middle of a sync with it.</summary>
    public Action<HttpRequest>? Served { get; set; }

    /// <param name="time">The tokens' clock: the harness's.</param>
    public static async Task<HubSpotFake> StartAsync(TimeProvider time)
    {
        var fake = new HubSpotFake(time);
        fake.Api = await FakeApi.StartAsync(app =>
        {
            app.MapPost(TokenPath, fake.Token);
            app.MapGet("/contacts/v1/lists/all/contacts/all", fake.Gate(fake.Crm.AllContacts));
            app.MapGet("/contacts/v1/lists/recently_updated/contacts/recent", fake.Gate(fake.Crm.RecentContacts));
            app.MapGet("/companies/v2/companies/paged", fake.Gate(fake.Crm.PagedCompanies));
            app.MapGet("/companies/v2/companies/recent/modified", fake.Gate(fake.Crm.RecentCompanies));
        });
        return fake;
    }

    /// <summary>The user uninstalled the app: the refresh token and every access token stop working.</summary>
    public void RevokeApp()
    {
        lock (_gate)
        {
            _currentRefreshToken = null;
            _accessRevoked = true;
        }
    }

    /// <summary>Access tokens are refused (a scope removed) while the token endpoint still issues new ones.</summary>
    public void RefuseAccessTokens()
    {
        lock (_gate)
        {
            _accessRevoked = true;
        }
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private async Task<IResult> Token(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return BadRequest("BAD_GRANT_TYPE", "the body must be application/x-www-form-urlencoded");
        }

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        if (form["grant_type"] != "refresh_token")
        {
            return BadRequest("BAD_GRANT_TYPE", "grant_type must be refresh_token");
        }

        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            return BadRequest("BAD_CLIENT_ID", "missing or unknown client_id or client_secret");
        }

        lock (_gate)
        {
            if (_currentRefreshToken is null || form["refresh_token"] != _currentRefreshToken)
            {
                return BadRequest("BAD_REFRESH_TOKEN", "missing or unknown refresh token");
            }

            var n = _refreshTokensIssued.Count;
            var refreshToken = $"rt_{n:D4}_e5d4c3b2a1";
            var accessToken = $"at_{n:D4}_CJDx9ZvLMhIC";
            _refreshTokensIssued.Add(refreshToken);
            _currentRefreshToken = refreshToken;
            _accessTokens[accessToken] = _time.GetUtcNow() + AccessTokenLifetime;
            return Results.Json(new
            {
                token_type = "bearer",
                refresh_token = refreshToken,
                access_token = accessToken,
                expires_in = (int)AccessTokenLifetime.TotalSeconds,
            });
        }
    }

    private Func<HttpRequest, IResult> Gate(Func<HttpRequest, IResult> route) => request =>
    {
        var header = request.Headers.Authorization.ToString();
        bool revoked;
        lock (_gate)
        {
            revoked = _accessRevoked;
        }

        if (revoked ||
            !header.StartsWith("Bearer ", StringComparison.Ordinal) ||
            !_accessTokens.TryGetValue(header["Bearer ".Length..], out var expires) ||
            _time.GetUtcNow() >= expires)
        {
            return Results.Json(
                new { status = "error", message = "Authentication credentials not found or expired.", category = "INVALID_AUTHENTICATION" },
                statusCode: StatusCodes.Status401Unauthorized);
        }

        var result = route(request);
        Served?.Invoke(request);
        return result;
    };

    private static IResult BadRequest(string status, string message) =>
        Results.Json(new { status, message }, statusCode: StatusCodes.Status400BadRequest);
}

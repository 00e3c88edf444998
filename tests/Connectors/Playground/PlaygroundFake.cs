using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Tributary.Connectors.Tests.Support;

namespace Tributary.Connectors.Tests.Playground;

/// <summary>
/// One of the authentication endpoints of Fivetran's API playground (<c>/auth/&lt;scheme&gt;</c>) on a <see cref="FakeApi"/>:
/// <see cref="PlaygroundUsers"/> behind a credential check, 401 with a JSON error when the check fails or after
/// <see cref="Revoke"/>. An example's fake supplies the check and any extra routes (a login endpoint).
/// </summary>
public sealed class PlaygroundFake : IAsyncDisposable
{
    private volatile bool _revoked;

    private PlaygroundFake(int users) => Users = new PlaygroundUsers(users);

    public FakeApi Api { get; private set; } = null!;

    public PlaygroundUsers Users { get; }

    /// <summary>Called after each page of users is served: a test lets time pass in the middle of a sync with it.</summary>
    public Action<HttpRequest>? Served { get; set; }

    /// <param name="path">The users endpoint, for example <c>/auth/api_key</c>.</param>
    /// <param name="authorized">Whether a request carries a valid credential.</param>
    /// <param name="map">More routes, mapped before the users endpoint.</param>
    /// <param name="https">TLS on the listener; plain HTTP when null.</param>
    /// <param name="users">How many users exist at the start (12: three pages of five).</param>
    public static async Task<PlaygroundFake> StartAsync(
        string path,
        Func<HttpRequest, bool> authorized,
        Action<WebApplication>? map = null,
        Action<ListenOptions>? https = null,
        int users = 12)
    {
        var fake = new PlaygroundFake(users);
        fake.Api = await FakeApi.StartAsync(
            app =>
            {
                map?.Invoke(app);
                app.MapGet(path, (HttpRequest request) =>
                {
                    if (fake._revoked || !authorized(request))
                    {
                        return Unauthorized("invalid or missing credentials");
                    }

                    var page = fake.Users.Page(request);
                    fake.Served?.Invoke(request);
                    return page;
                });
            },
            https);
        return fake;
    }

    /// <summary>Every credential stops working, as when an operator revokes it or changes the password.</summary>
    public void Revoke() => _revoked = true;

    /// <summary>401 with a JSON error, as the playground answers a bad credential.</summary>
    public static IResult Unauthorized(string message) =>
        Results.Json(new { error = message }, statusCode: StatusCodes.Status401Unauthorized);

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

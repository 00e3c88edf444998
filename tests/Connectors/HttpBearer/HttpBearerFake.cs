using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Playground;

namespace Tributary.Connectors.Tests.HttpBearer;

/// <summary>
/// The bearer-token endpoint of Fivetran's API playground, <c>GET /auth/http_bearer</c>: <c>Authorization: Bearer
/// &lt;token&gt;</c> with this personal access token; anything else is 401.
/// </summary>
public static class HttpBearerFake
{
    public const string Token = "pat_3rT9kLmN2xQ8vB6cZ1wY4";

    public static Task<PlaygroundFake> StartAsync() => PlaygroundFake.StartAsync("/auth/http_bearer", Authorized);

    private static bool Authorized(HttpRequest request) => request.Headers.Authorization.ToString() == "Bearer " + Token;
}

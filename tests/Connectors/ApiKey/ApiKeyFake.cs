using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Playground;

namespace Tributary.Connectors.Tests.ApiKey;

/// <summary>
/// The API-key endpoint of Fivetran's API playground, <c>GET /auth/api_key</c>: the key as <c>Authorization: apiKey &lt;key&gt;</c>
/// or as <c>?api_key=&lt;key&gt;</c>; anything else is 401.
/// </summary>
public static class ApiKeyFake
{
    public const string Key = "ak_live_7Qm2vX9pL4tR8wZ1";

    public static Task<PlaygroundFake> StartAsync() => PlaygroundFake.StartAsync("/auth/api_key", Authorized);

    private static bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var presented = header.StartsWith("apiKey ", StringComparison.Ordinal) ? header["apiKey ".Length..] : request.Query["api_key"].ToString();
        return presented == Key;
    }
}

using System.Text;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Playground;

namespace Tributary.Connectors.Tests.HttpBasic;

/// <summary>
/// The HTTP Basic endpoint of Fivetran's API playground, <c>GET /auth/http_basic</c>: <c>Authorization: Basic
/// base64(user:password)</c> with this user and password; anything else is 401.
/// </summary>
public static class HttpBasicFake
{
    public const string UserName = "ada";
    public const string Password = "c0rrect-h0rse-Battery!";

    public static Task<PlaygroundFake> StartAsync() => PlaygroundFake.StartAsync("/auth/http_basic", Authorized);

    /// <summary>The header value a correct client sends.</summary>
    public static string ExpectedHeader => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{Password}"));

    private static bool Authorized(HttpRequest request) => request.Headers.Authorization.ToString() == ExpectedHeader;
}

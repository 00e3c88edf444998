using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources.MutualTls;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.CertificateFromKeyVault;

/// <summary>
/// Entra ID's token endpoint for one app registration, over HTTPS with a self-signed certificate: <c>POST
/// /{tenant}/oauth2/v2.0/token</c> with <c>grant_type=client_credentials</c> answers a bearer token for the right client
/// secret and <c>401 invalid_client</c> (AADSTS7000215) for a wrong one, as Azure.Identity's <c>ClientSecretCredential</c>
/// meets them.
/// </summary>
public sealed class FakeEntraId : IAsyncDisposable
{
    /// <summary>The tenant FakeKeyVault's bearer challenge names: a credential signs in only to its own tenant, as with a real vault.</summary>
    public const string Tenant = "00000000-0000-0000-0000-000000000000";
    public const string ClientId = "66666666-7777-8888-9999-000000000000";
    public const string AccessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.fake-vault-access-token";

    private readonly string _clientSecret;

    private FakeEntraId(string clientSecret, X509Certificate2 certificate)
    {
        _clientSecret = clientSecret;
        Certificate = certificate;
    }

    public FakeApi Api { get; private set; } = null!;

    /// <summary>Its self-signed server certificate: what the credential's transport must trust.</summary>
    public X509Certificate2 Certificate { get; }

    public static async Task<FakeEntraId> StartAsync(string clientSecret)
    {
        var entra = new FakeEntraId(clientSecret, TestCertificates.Server());
        entra.Api = await FakeApi.StartAsync(app => app.MapPost("/{tenant}/oauth2/v2.0/token", entra.TokenAsync), https => https.UseHttps(entra.Certificate));
        return entra;
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        Certificate.Dispose();
    }

    private async Task<IResult> TokenAsync(string tenant, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (tenant != Tenant)
        {
            return Error(400, "invalid_request", $"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", 90002);
        }

        if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId)
        {
            return Error(400, "unauthorized_client", $"AADSTS700016: Application with identifier '{form["client_id"]}' was not found in the directory.", 700016);
        }

        if (form["client_secret"] != _clientSecret)
        {
            return Error(401, "invalid_client", $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{ClientId}'.", 7000215);
        }

        return Results.Json(new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3599, ["ext_expires_in"] = 3599, ["access_token"] = AccessToken });
    }

    private static IResult Error(int status, string error, string description, int code) => Results.Json(
        new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description + "\r\nTrace ID: 0\r\nCorrelation ID: 0\r\nTimestamp: 2024-09-15 12:00:00Z",
            ["error_codes"] = new JsonArray(code),
            ["timestamp"] = "2024-09-15 12:00:00Z",
        },
        statusCode: status);
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Time.Testing;
using Tributary.Sdk.Http.Tests.Support;

namespace Tributary.Sdk.Http.Tests.Authentication;

/// <summary>Each authenticator against a server that checks credentials the way the scheme's RFC says.</summary>
public sealed class AuthenticatorTests
{
    private const string Key = "key-0123456789";

    [Fact]
    public async Task ApiKeyInHeader_SendsTheHeaderWithItsScheme()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/me", (HttpContext c) => c.Request.Headers.Authorization == $"Token {Key}" ? Results.Json(new { ok = true }) : Results.StatusCode(401)));
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, Authenticator = ApiKeyAuthenticator.InHeader("Authorization", Key, "Token") });

        Assert.True((await client.GetJsonAsync(new RestRequest("me")))!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ApiKeyInQuery_IsSentButMaskedInPagesAndErrors()
    {
        await using var server = await TestServer.StartAsync(app =>
        {
            app.MapGet("/items", (string access_key, int? page) => access_key != Key ? Results.StatusCode(401)
                : page is null ? Results.Json(new { data = new[] { new { id = 1 } } })
                : Results.StatusCode(404));
        });
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, Authenticator = ApiKeyAuthenticator.InQuery("access_key", Key) });

        RestPage? first = null;
        await foreach (var page in client.GetPagesAsync(new RestRequest("items") { RecordsPath = "data", Query = { ["symbols"] = "AAPL" } }))
        {
            first = page;
        }

        var error = await Assert.ThrowsAsync<RestException>(() => client.GetJsonAsync(new RestRequest("items") { Query = { ["page"] = "2" } }));

        Assert.Equal($"/items?symbols=AAPL&access_key={Key}", server.Requests[0].PathAndQuery);
        Assert.Equal($"{server.BaseUri}items?symbols=AAPL&access_key=***", first!.Uri.ToString());
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("access_key=***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Uri!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_SendsUserAndPasswordAsRfc7617Says()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/me", (HttpContext c) => Results.Json(new { header = c.Request.Headers.Authorization.ToString() })));
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, Authenticator = new BasicAuthenticator("ada", "pä:ss") });

        var header = (await client.GetJsonAsync(new RestRequest("me")))!["header"]!.GetValue<string>();

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ada:pä:ss")), header);
    }

    [Fact]
    public async Task Bearer_Revoked_FailsAsConfigurationNamingTheRequest()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/me", () => Results.Text("""{"message":"token revoked"}""", "application/json", statusCode: 401)));
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, Authenticator = new BearerAuthenticator("revoked-token") });

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => client.GetJsonAsync(new RestRequest("me")));

        Assert.Contains($"GET {server.BaseUri}me answered 401 Unauthorized: the source refused the connection's credentials. Check the connection's secrets.", error.Message, StringComparison.Ordinal);
        Assert.Contains("token revoked", error.Message, StringComparison.Ordinal);
        Assert.Equal("Bearer revoked-token", server.Requests.Single().Headers["Authorization"]);
    }

    [Fact]
    public async Task SessionToken_ExpiredSession_LogsInAgainOnceAndResends()
    {
        var sessions = 0;
        var valid = "none";
        await using var server = await TestServer.StartAsync(app =>
        {
            app.MapPost("/auth", () => Results.Json(new { sessionId = valid = $"session-{Interlocked.Increment(ref sessions)}" }));
            app.MapGet("/items", (HttpContext c) => c.Request.Headers.Authorization == valid ? Results.Json(new[] { new { id = 1 } }) : Results.StatusCode(401));
            app.MapPost("/expire", () => valid = "expired");
        });
        using var client = new RestClient(new RestClientOptions
        {
            BaseAddress = server.BaseUri,
            Authenticator = new SessionTokenAuthenticator(async (http, token) =>
            {
                using var response = await http.PostAsync(new Uri(server.BaseUri, "auth"), null, token);
                return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Session>(response.Content, token))!.SessionId;
            }) { Scheme = null },
        });

        await client.GetJsonAsync(new RestRequest("items"));
        await client.GetJsonAsync(new RestRequest("items"));
        valid = "expired";
        await client.GetJsonAsync(new RestRequest("items"));

        Assert.Equal(2, sessions);
        Assert.Equal(["POST /auth", "GET /items", "GET /items", "GET /items", "POST /auth", "GET /items"], server.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
    }

    [Fact]
    public async Task SessionToken_RefusedAfterRenewal_FailsSayingSo()
    {
        await using var server = await TestServer.StartAsync(app =>
        {
            app.MapPost("/auth", () => Results.Json(new { sessionId = "s" }));
            app.MapGet("/items", () => Results.StatusCode(401));
        });
        using var client = new RestClient(new RestClientOptions
        {
            BaseAddress = server.BaseUri,
            Authenticator = new SessionTokenAuthenticator(async (http, token) => { using var _ = await http.PostAsync(new Uri(server.BaseUri, "auth"), null, token); return "s"; }),
        });

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => client.GetJsonAsync(new RestRequest("items")));

        Assert.Contains("refused the connection's credentials even after renewing them", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, server.Requests.Count);   // login, request, login again, request again
    }

    [Fact]
    public async Task ClientCredentials_TokenReusedUntilItExpires_ThenRenewed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var issued = 0;
        await using var server = await TestServer.StartAsync(app =>
        {
            app.MapPost("/token", async (HttpContext c) =>
            {
                var form = await c.Request.ReadFormAsync();
                var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("client%20one:s%26cret"));
                return form["grant_type"] == "client_credentials" && form["scope"] == "read" && c.Request.Headers.Authorization == $"Basic {basic}"
                    ? Results.Json(new { access_token = $"at-{Interlocked.Increment(ref issued)}", token_type = "Bearer", expires_in = 3600 })
                    : Results.Json(new { error = "invalid_client" }, statusCode: 401);
            });
            app.MapGet("/items", (HttpContext c) => Results.Json(new { token = c.Request.Headers.Authorization.ToString() }));
        });
        using var client = new RestClient(new RestClientOptions
        {
            BaseAddress = server.BaseUri,
            TimeProvider = time,
            Authenticator = new OAuth2ClientCredentialsAuthenticator(new Uri(server.BaseUri, "token"), "client one", "s&cret") { Scope = "read" },
        });

        var first = await client.GetJsonAsync(new RestRequest("items"));
        time.Advance(TimeSpan.FromMinutes(59));
        var second = await client.GetJsonAsync(new RestRequest("items"));
        time.Advance(TimeSpan.FromSeconds(45));   // within 30 s of expiry: renewed before use
        var third = await client.GetJsonAsync(new RestRequest("items"));

        Assert.Equal(["Bearer at-1", "Bearer at-1", "Bearer at-2"], new[] { first, second, third }.Select(j => j!["token"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ClientCredentials_WrongSecret_FailsWithTheEndpointsError()
    {
        await using var server = await TestServer.StartAsync(app => app.MapPost("/token", () => Results.Json(new { error = "invalid_client", error_description = "Client authentication failed" }, statusCode: 401)));
        using var client = new RestClient(new RestClientOptions
        {
            BaseAddress = server.BaseUri,
            Authenticator = new OAuth2ClientCredentialsAuthenticator(new Uri(server.BaseUri, "token"), "id", "wrong-secret") { CredentialsInBody = true },
        });

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => client.GetJsonAsync(new RestRequest("items")));

        Assert.Contains("refused the client_credentials grant with 401 Unauthorized (invalid_client: Client authentication failed)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret", error.Message, StringComparison.Ordinal);
        Assert.Contains("client_secret=wrong-secret", server.Requests.Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshToken_Rotated_IsWrittenBackBeforeTheNewAccessTokenIsUsed()
    {
        var context = new TestSyncContext();
        context.Secrets["refresh_token"] = "rt-1";
        var live = "rt-1";
        await using var server = await TestServer.StartAsync(app =>
        {
            app.MapPost("/token", async (HttpContext c) =>
            {
                var form = await c.Request.ReadFormAsync();
                if (form["grant_type"] != "refresh_token" || form["refresh_token"] != live)
                {
                    return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
                }

                var n = int.Parse(live[3..], System.Globalization.CultureInfo.InvariantCulture) + 1;
                live = $"rt-{n}";   // the old refresh token is spent
                return Results.Json(new { access_token = $"at-{n}", expires_in = 3600, refresh_token = live });
            });
            app.MapGet("/items", (HttpContext c) =>
            {
                context.Events.Enqueue($"request {c.Request.Headers.Authorization}");
                return c.Request.Headers.Authorization == "Bearer at-2" ? Results.Json(new { ok = true }) : Results.StatusCode(401);
            });
        });
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = server.BaseUri,
            Authenticator = new OAuth2RefreshTokenAuthenticator(context, new Uri(server.BaseUri, "token"), "id", "secret"),
        });

        await client.GetJsonAsync(new RestRequest("items"));

        Assert.Equal(["set refresh_token=rt-2", "request Bearer at-2"], context.Events);
        Assert.Equal("rt-2", context.Secrets["refresh_token"]);
    }

    [Fact]
    public async Task RefreshToken_ParallelRequestsRefusedTogether_RenewOnce()
    {
        var context = new TestSyncContext();
        context.Secrets["refresh_token"] = "rt";
        var issued = 0;
        var accepted = "at-1";
        await using var server = await TestServer.StartAsync(app =>
        {
            app.MapPost("/token", () => Results.Json(new { access_token = $"at-{Interlocked.Increment(ref issued)}", expires_in = 3600 }));
            app.MapGet("/items", (HttpContext c) => c.Request.Headers.Authorization == $"Bearer {accepted}" ? Results.Json(new { ok = true }) : Results.StatusCode(401));
        });
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = server.BaseUri,
            Authenticator = new OAuth2RefreshTokenAuthenticator(context, new Uri(server.BaseUri, "token"), "id", "secret"),
        });
        await client.GetJsonAsync(new RestRequest("items"));

        accepted = "at-2";   // the source revokes at-1
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetJsonAsync(new RestRequest("items"))));

        Assert.Equal(2, issued);
    }

    [Fact]
    public async Task ClientCertificate_FromBase64Pem_IsPresentedAndTheServerTrustedByItsCertificate()
    {
        using var serverCertificate = SelfSigned("CN=127.0.0.1", serverName: true);
        using var clientCertificate = SelfSigned("CN=tributary-client", serverName: false);
        var certificateBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(clientCertificate.ExportCertificatePem()));
        var keyBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(clientCertificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        await using var server = await TestServer.StartAsync(
            app => app.MapGet("/me", (HttpContext c) => Results.Json(new { subject = c.Connection.ClientCertificate?.Subject })),
            listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (presented, _, _) => presented.Thumbprint == clientCertificate.Thumbprint,
            }));
        using var trusted = X509CertificateLoader.LoadCertificate(serverCertificate.RawData);
        using var presented = ClientCertificates.FromBase64Pem(certificateBase64, keyBase64);
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, ClientCertificate = presented, TrustedServerCertificate = trusted, MaxRetries = 0 });
        using var anonymous = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, TrustedServerCertificate = trusted, MaxRetries = 0 });
        using var distrusting = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, ClientCertificate = presented, MaxRetries = 0 });

        var me = await client.GetJsonAsync(new RestRequest("me"));

        Assert.Equal("CN=tributary-client", me!["subject"]!.GetValue<string>());
        await Assert.ThrowsAsync<SourceUnavailableException>(() => anonymous.GetJsonAsync(new RestRequest("me")));
        await Assert.ThrowsAsync<SourceUnavailableException>(() => distrusting.GetJsonAsync(new RestRequest("me")));
    }

    [Fact]
    public void ClientCertificate_NotBase64_FailsAsConfiguration()
    {
        var error = Assert.Throws<ConfigurationException>(() => ClientCertificates.FromBase64Pem("not base64!", "x"));

        Assert.Contains("certificate's certificate is not base64", error.Message, StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned(string subject, bool serverName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (serverName)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        }

        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    private sealed record Session(string SessionId);
}

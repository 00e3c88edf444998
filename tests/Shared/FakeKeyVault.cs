using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tributary.Testing;

/// <summary>
/// A small Key Vault: Kestrel over HTTPS on 127.0.0.1 with a certificate made here, answering the bearer challenge that
/// <see cref="SecretClient"/> expects, then <c>GET/PUT /secrets/{name}[/{version}]</c> with Key Vault's JSON shapes and
/// its 404s. Secret names compare case-insensitively, as Key Vault's do.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, List<Version>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly WebApplication _app;

    private FakeKeyVault(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    /// <summary>The vault's URI, <c>https://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri VaultUri { get; private set; } = new("https://127.0.0.1/");

    public X509Certificate2 Certificate { get; }

    /// <summary>Every request as <c>METHOD /path</c>, the challenge round included.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public static async Task<FakeKeyVault> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var vault = new FakeKeyVault(app, certificate);
        vault.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        vault.VaultUri = new Uri($"https://127.0.0.1:{new Uri(address).Port}/");
        return vault;
    }

    /// <summary>A client of this vault: trusts only its certificate, skips the challenge's resource check, no retries.</summary>
    public SecretClient CreateClient() => CreateClient(VaultUri, Certificate);

    /// <summary>A client of <paramref name="vaultUri"/> set up as for this fake (used to point one at a port nothing serves).</summary>
    public static SecretClient CreateClient(Uri vaultUri, X509Certificate2? trusted)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => trusted is not null && certificate?.Thumbprint == trusted.Thumbprint,
        };
        var options = new SecretClientOptions
        {
            DisableChallengeResourceVerification = true,
            Transport = new HttpClientTransport(handler),
            Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(20) },
        };
        return new SecretClient(vaultUri, new StubTokenCredential(), options);
    }

    public void Set(string name, string value) => Add(name, value, []);

    public string? Get(string name) => _secrets.TryGetValue(name, out var versions) ? Latest(versions)?.Value : null;

    public IReadOnlyDictionary<string, string> Tags(string name) => _secrets.TryGetValue(name, out var versions) ? Latest(versions)?.Tags ?? [] : [];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            _requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            var authorization = context.Request.Headers.Authorization.ToString();
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate =
                    "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"";
                return;
            }

            await next(context);
        });
        app.MapGet("/secrets/{name}/{version?}", (string name, string? version) => Read(name, version));
        app.MapPut("/secrets/{name}", async (string name, HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body) ?? throw new InvalidOperationException("empty body");
            var tags = body["tags"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];
            var version = Add(name, body["value"]!.GetValue<string>(), tags, body["contentType"]?.GetValue<string>());
            return Results.Json(Bundle(name, version));
        });
    }

    private IResult Read(string name, string? version)
    {
        if (_secrets.TryGetValue(name, out var versions))
        {
            Version? found;
            lock (versions)
            {
                found = version is null ? Latest(versions) : versions.FirstOrDefault(v => v.Id == version);
            }

            if (found is not null)
            {
                return Results.Json(Bundle(name, found));
            }
        }

        return Results.Json(
            new JsonObject { ["error"] = new JsonObject { ["code"] = "SecretNotFound", ["message"] = $"A secret with (name/id) {name} was not found in this key vault." } },
            statusCode: 404);
    }

    private Version Add(string name, string value, Dictionary<string, string> tags, string? contentType = null)
    {
        var version = new Version(Guid.NewGuid().ToString("N"), value, tags, contentType);
        var versions = _secrets.GetOrAdd(name, _ => []);
        lock (versions)
        {
            versions.Add(version);
        }

        return version;
    }

    private static Version? Latest(List<Version> versions)
    {
        lock (versions)
        {
            return versions.Count == 0 ? null : versions[^1];
        }
    }

    private JsonObject Bundle(string name, Version version)
    {
        var tags = new JsonObject();
        foreach (var (key, value) in version.Tags)
        {
            tags[key] = value;
        }

        var bundle = new JsonObject
        {
            ["value"] = version.Value,
            ["id"] = $"{VaultUri}secrets/{name}/{version.Id}",
            ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = 1_700_000_000, ["updated"] = 1_700_000_000, ["recoveryLevel"] = "Recoverable" },
            ["tags"] = tags,
        };
        if (version.ContentType is not null)
        {
            bundle["contentType"] = version.ContentType;
        }

        return bundle;
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }

    private sealed record Version(string Id, string Value, Dictionary<string, string> Tags, string? ContentType = null);
}

/// <summary>A credential that hands out a fixed token: tests never reach Entra ID or the managed identity endpoint.</summary>
public sealed class StubTokenCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new("test-token", TimeProvider.System.GetUtcNow().AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

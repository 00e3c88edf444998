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
/// its 404s. Secret names compare case-insensitively, as Key Vault's do. Certificates too: <see cref="ImportCertificate"/> keeps a
/// certificate version and, as Key Vault does, the secret of the same name and version that holds the certificate with its private
/// key (PKCS#12 in base64 or PEM, by content type), so <c>GET /certificates/{name}[/{version}]</c> and then its <c>sid</c> serve
/// <c>CertificateClient.DownloadCertificateAsync</c>. <see cref="Deny"/> answers 403 as Key Vault's RBAC does.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, List<Version>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<string, List<CertificateVersion>> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _denied = new(StringComparer.OrdinalIgnoreCase);
    private readonly WebApplication _app;

    private FakeKeyVault(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    /// <summary>The vault's URI, <c>https://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri VaultUri { get; private set; } = new("https://127.0.0.1/");

    public X509Certificate2 Certificate { get; }

    /// <summary>The content type of a certificate's secret holding a PKCS#12 (PFX) file in base64: Key Vault's default.</summary>
    public const string Pkcs12ContentType = "application/x-pkcs12";

    /// <summary>The content type of a certificate's secret holding PEM text: the private key, then the certificate.</summary>
    public const string PemContentType = "application/x-pem-file";

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

    /// <summary>
    /// Imports <paramref name="certificate"/> (with its private key) as a new version of certificate <paramref name="name"/>,
    /// as <c>az keyvault certificate import</c> does: the certificate, and the managed secret <paramref name="name"/> of the
    /// same version holding the certificate and key as <paramref name="contentType"/>. Returns the version.
    /// </summary>
    public string ImportCertificate(string name, X509Certificate2 certificate, string contentType = Pkcs12ContentType)
    {
        var value = contentType switch
        {
            Pkcs12ContentType => Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12)),
            PemContentType => PrivateKeyPem(certificate) + "\n" + certificate.ExportCertificatePem() + "\n",
            _ => throw new ArgumentException($"Key Vault stores a certificate as {Pkcs12ContentType} or {PemContentType}, not {contentType}.", nameof(contentType)),
        };
        var version = new CertificateVersion(Guid.NewGuid().ToString("N"), certificate.RawData, certificate.GetCertHash(), certificate.Subject,
            certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), certificate.GetKeyAlgorithm() == "1.2.840.10045.2.1" ? "EC" : "RSA", contentType);
        Add(name, value, [], contentType, version.Id, managed: true);
        var versions = _certificates.GetOrAdd(name, _ => []);
        lock (versions)
        {
            versions.Add(version);
        }

        return version.Id;
    }

    /// <summary>
    /// From now on the caller may not read <paramref name="collection"/> (<c>certificates</c> or <c>secrets</c>) item
    /// <paramref name="name"/>: 403 <c>Forbidden</c>/<c>ForbiddenByRbac</c>, as when the identity lacks the role.
    /// </summary>
    public void Deny(string collection, string name) => _denied[$"{collection}/{name}"] = collection switch
    {
        "certificates" => "Microsoft.KeyVault/vaults/certificates/read",
        "secrets" => "Microsoft.KeyVault/vaults/secrets/getSecret/action",
        _ => throw new ArgumentException("Key Vault collections here: certificates, secrets.", nameof(collection)),
    };

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
        app.MapGet("/secrets/{name}/{version?}", (string name, string? version) => Denied("secrets", name) ?? Read(name, version));
        app.MapGet("/certificates/{name}/{version?}", (string name, string? version) => Denied("certificates", name) ?? ReadCertificate(name, version));
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

    private IResult? Denied(string collection, string name)
    {
        if (!_denied.TryGetValue($"{collection}/{name}", out var action))
        {
            return null;
        }

        var message = "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"
            + $"Caller: appid=00000000-0000-0000-0000-000000000000;oid=00000000-0000-0000-0000-000000000000\r\nAction: '{action}'\r\n"
            + $"Resource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/tributary/providers/microsoft.keyvault/vaults/fake/{collection}/{name.ToLowerInvariant()}'\r\n"
            + "Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: fake;location=local\r\n";
        return Results.Json(
            new JsonObject { ["error"] = new JsonObject { ["code"] = "Forbidden", ["message"] = message, ["innererror"] = new JsonObject { ["code"] = "ForbiddenByRbac" } } },
            statusCode: 403);
    }

    private IResult ReadCertificate(string name, string? version)
    {
        if (_certificates.TryGetValue(name, out var versions))
        {
            CertificateVersion? found;
            lock (versions)
            {
                found = version is null ? versions.LastOrDefault() : versions.FirstOrDefault(v => v.Id == version);
            }

            if (found is not null)
            {
                return Results.Json(CertificateBundle(name, found));
            }
        }

        return Results.Json(
            new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = "CertificateNotFound",
                    ["message"] = $"A certificate with (name/id) {name}{(version is null ? string.Empty : $"/{version}")} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
                },
            },
            statusCode: 404);
    }

    // Key Vault's CertificateBundle: ids of the certificate, its key and its secret, the DER certificate, attributes and policy.
    private JsonObject CertificateBundle(string name, CertificateVersion version) => new()
    {
        ["id"] = $"{VaultUri}certificates/{name}/{version.Id}",
        ["kid"] = $"{VaultUri}keys/{name}/{version.Id}",
        ["sid"] = $"{VaultUri}secrets/{name}/{version.Id}",
        ["x5t"] = Convert.ToBase64String(version.Thumbprint).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        ["cer"] = Convert.ToBase64String(version.Der),
        ["attributes"] = new JsonObject
        {
            ["enabled"] = true,
            ["nbf"] = new DateTimeOffset(version.NotBefore).ToUnixTimeSeconds(),
            ["exp"] = new DateTimeOffset(version.NotAfter).ToUnixTimeSeconds(),
            ["created"] = 1_700_000_000,
            ["updated"] = 1_700_000_000,
            ["recoveryLevel"] = "Recoverable+Purgeable",
            ["recoverableDays"] = 90,
        },
        ["policy"] = new JsonObject
        {
            ["id"] = $"{VaultUri}certificates/{name}/policy",
            ["key_props"] = new JsonObject { ["exportable"] = true, ["kty"] = version.KeyType, ["reuse_key"] = false },
            ["secret_props"] = new JsonObject { ["contentType"] = version.ContentType },
            ["x509_props"] = new JsonObject { ["subject"] = version.Subject, ["ekus"] = new JsonArray("1.3.6.1.5.5.7.3.2"), ["validity_months"] = 12 },
            ["issuer"] = new JsonObject { ["name"] = "Unknown" },
            ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = 1_700_000_000, ["updated"] = 1_700_000_000 },
        },
        ["tags"] = new JsonObject(),
    };

    private static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no private key to import.", nameof(certificate));
        return key.ExportPkcs8PrivateKeyPem();
    }

    private Version Add(string name, string value, Dictionary<string, string> tags, string? contentType = null, string? id = null, bool managed = false)
    {
        var version = new Version(id ?? Guid.NewGuid().ToString("N"), value, tags, contentType, managed ? $"{VaultUri}keys/{name}/{id}" : null);
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

        if (version.KeyId is not null)
        {
            // A certificate's secret: managed by Key Vault, pointing at the certificate's key.
            bundle["kid"] = version.KeyId;
            bundle["managed"] = true;
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

    private sealed record Version(string Id, string Value, Dictionary<string, string> Tags, string? ContentType = null, string? KeyId = null);

    private sealed record CertificateVersion(string Id, byte[] Der, byte[] Thumbprint, string Subject, DateTime NotBefore, DateTime NotAfter, string KeyType, string ContentType);
}

/// <summary>A credential that hands out a fixed token: tests never reach Entra ID or the managed identity endpoint.</summary>
public sealed class StubTokenCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new("test-token", TimeProvider.System.GetUtcNow().AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Tributary.Connectors.Tests.Sources.MutualTls;

/// <summary>
/// An API behind mutual TLS, as a partner or banking API is: HTTPS only, with its own self-signed server certificate, and a
/// handshake that requires a client certificate and accepts only the one issued to the connection. <c>GET /sample_data</c>
/// serves records <c>{id, content, updated_at}</c> paged by <see cref="UpdatedSincePages"/>; after <see cref="Revoke"/> the
/// handshake still succeeds but the API answers 401, as when the certificate is revoked in the provider's console.
/// </summary>
public sealed class MutualTlsFake : IAsyncDisposable
{
    public const string Path = "/sample_data";

    /// <summary>When the records were written: record <c>n</c> was last updated <c>n</c> hours later.</summary>
    public static readonly DateTimeOffset Epoch = new(2024, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _records = [];
    private readonly string _clientThumbprint;
    private volatile bool _revoked;

    private MutualTlsFake(X509Certificate2 server, string clientThumbprint)
    {
        ServerCertificate = server;
        _clientThumbprint = clientThumbprint;
        for (var i = 1; i <= 12; i++)
        {
            Add(Epoch.AddHours(i));
        }
    }

    public FakeApi Api { get; private set; } = null!;

    /// <summary>The server's self-signed certificate: what the connection must trust.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The records as the API holds them, in id order.</summary>
    public IReadOnlyList<JsonObject> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records.Select(r => (JsonObject)r.DeepClone())];
            }
        }
    }

    /// <param name="client">The only client certificate the handshake accepts.</param>
    public static async Task<MutualTlsFake> StartAsync(X509Certificate2 client)
    {
        var fake = new MutualTlsFake(TestCertificates.Server(), client.Thumbprint);
        fake.Api = await FakeApi.StartAsync(
            app => app.MapGet(Path, fake.Serve),
            https => https.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = fake.ServerCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                // Self-signed, so the chain never validates: the certificate itself is what is trusted.
                ClientCertificateValidation = (presented, _, _) => presented.Thumbprint == fake._clientThumbprint,
            }));
        return fake;
    }

    public void Add(DateTimeOffset at)
    {
        lock (_gate)
        {
            var id = _records.Count + 1;
            _records.Add(new JsonObject { ["id"] = id, ["content"] = $"line {id}", ["updated_at"] = UpdatedSincePages.Format(at) });
        }
    }

    public void Update(int id, string content, DateTimeOffset at)
    {
        lock (_gate)
        {
            var record = _records[id - 1];
            record["content"] = content;
            record["updated_at"] = UpdatedSincePages.Format(at);
        }
    }

    /// <summary>The API side of a certificate example's configuration: this fake's address, its server certificate trusted,
    /// pages of five, retries without waiting.</summary>
    public Dictionary<string, string> Configuration() => new()
    {
        ["base_url"] = Api.BaseUri.ToString(),
        ["server_ca_certificate"] = TestCertificates.Base64(ServerCertificate.ExportCertificatePem()),
        ["page_size"] = "5",
        ["http_retry_delay_ms"] = "1",
    };

    /// <summary>The provider revoked the certificate: requests still arrive over TLS but are refused with 401.</summary>
    public void Revoke() => _revoked = true;

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        ServerCertificate.Dispose();
    }

    private IResult Serve(HttpContext context)
    {
        if (_revoked || context.Connection.ClientCertificate?.Thumbprint != _clientThumbprint)
        {
            return UpdatedSincePages.Unauthorized("client certificate revoked");
        }

        List<JsonObject> records;
        lock (_gate)
        {
            records = [.. _records.Select(r => (JsonObject)r.DeepClone())];
        }

        return UpdatedSincePages.Serve(context.Request, records, "updated_at", "id");
    }
}

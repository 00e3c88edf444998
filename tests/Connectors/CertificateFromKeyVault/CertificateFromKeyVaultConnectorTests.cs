using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Tributary.Connectors.CertificateFromKeyVault;
using Tributary.Connectors.Tests.Sources.MutualTls;
using static Tributary.Connectors.Tests.Sources.MutualTls.SampleDataRows;
using Tributary.Sdk.Testing;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.CertificateFromKeyVault;

// Key Vault is the shared HTTPS FakeKeyVault (certificates and their secrets), Entra ID the token endpoint of FakeEntraId, the
// API base64_encoded_certificate's MutualTlsFake. The connector signs in with Azure.Identity's ClientSecretCredential.
public sealed class CertificateFromKeyVaultConnectorTests
{
    private const string Name = "certificate_from_key_vault";
    private const string CertificateName = "tributary-client";
    private const string ClientSecret = "entra-app-client-secret~value";

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_DownloadsTheCertificateAndReadsOnlyChanges()
    {
        await using var world = await World.StartAsync();
        var version = world.Vault.ImportCertificate(CertificateName, world.Client.Certificate);
        await using var harness = await HarnessAsync();

        var first = await harness.RunAsync(world.Connector(), world.Configuration());

        RunAssert.Succeeded(first);
        Assert.Equal(12, first.Tables["sample_data"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        Assert.Equal(Expected(world.Api.Records), await RowsAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T12:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Contains($"GET /certificates/{CertificateName}/", world.Vault.Requests);
        Assert.Contains($"GET /secrets/{CertificateName}/{version}", world.Vault.Requests);
        var signIn = Assert.Single(world.Entra.Api.Requests);
        Assert.Equal(("POST", $"/{FakeEntraId.Tenant}/oauth2/v2.0/token"), (signIn.Method, signIn.PathAndQuery));
        Assert.Contains("scope=https%3A%2F%2Fvault.azure.net%2F.default", signIn.Body, StringComparison.Ordinal);

        harness.Time.Advance(TimeSpan.FromDays(1));
        world.Api.Update(3, "line 3, edited", harness.Time.GetUtcNow());
        world.Api.Add(harness.Time.GetUtcNow());
        world.Api.Api.ClearRequests();
        // The certificate renewed in the vault as PEM: the next sync downloads the new version, whatever its format.
        var renewed = world.Vault.ImportCertificate(CertificateName, world.Client.Certificate, FakeKeyVault.PemContentType);

        var second = await harness.RunAsync(world.Connector(), world.Configuration());

        RunAssert.Succeeded(second);
        Assert.Equal(3, second.Tables["sample_data"].Upserts);
        Assert.Contains($"GET /secrets/{CertificateName}/{renewed}", world.Vault.Requests);
        Assert.Equal("/sample_data?updated_since=2024-09-01T12%3A00%3A00Z&page=1&per_page=5", Assert.Single(world.Api.Api.Requests).PathAndQuery);
        Assert.Equal(Expected(world.Api.Records), await RowsAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-16T12:00:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_CertificateMissingOrAccessDenied_FailsNamingWhatToCheckAndKeepsState()
    {
        await using var world = await World.StartAsync();
        world.Vault.ImportCertificate(CertificateName, world.Client.Certificate);
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(world.Connector(), world.Configuration()));
        var before = await harness.ReadStateAsync();
        world.Api.Api.ClearRequests();
        var missing = world.Configuration();
        missing["certificate_name"] = "nobody";

        var notThere = await harness.RunAsync(world.Connector(), missing);
        world.Vault.Deny("secrets", CertificateName);
        var denied = await harness.RunAsync(world.Connector(), world.Configuration());

        RunAssert.Failed(notThere, $"There is no certificate 'nobody' in Key Vault {world.Vault.VaultUri} (CertificateNotFound)");
        Assert.Contains("'certificate_name'", notThere.Error, StringComparison.Ordinal);
        RunAssert.Failed(denied, $"Key Vault refused service principal {FakeEntraId.ClientId} in tenant {FakeEntraId.Tenant} reading the certificate '{CertificateName}'");
        Assert.Contains("(403 Forbidden): Caller is not authorized to perform action on resource.", denied.Error, StringComparison.Ordinal);
        Assert.Contains("'Key Vault Certificate User'", denied.Error, StringComparison.Ordinal);
        Assert.Equal(0, notThere.Checkpoints + denied.Checkpoints);
        Assert.Empty(world.Api.Api.Requests);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_WrongClientSecret_FailsSigningInAndKeepsState()
    {
        await using var world = await World.StartAsync();
        world.Vault.ImportCertificate(CertificateName, world.Client.Certificate);
        await using var harness = await HarnessAsync();
        await harness.SetSecretAsync("client_secret", "an-old-client-secret");

        var run = await harness.RunAsync(world.Connector(), world.Configuration());

        RunAssert.Failed(run, $"Signing in as service principal {FakeEntraId.ClientId} in tenant {FakeEntraId.Tenant} to read the certificate '{CertificateName}'");
        Assert.Contains("AADSTS7000215: Invalid client secret provided", run.Error, StringComparison.Ordinal);
        Assert.Contains("secret 'client_secret'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Vault.Requests, r => r.StartsWith("GET /secrets/", StringComparison.Ordinal));
        Assert.Empty(world.Api.Api.Requests);
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
        await RunAssert.SecretKeptOutAsync(harness, "an-old-client-secret", run);
    }

    [Fact]
    public async Task UpdateAsync_CertificateTheApiDoesNotAccept_FailsWithoutReadingAndKeepsState()
    {
        await using var world = await World.StartAsync();
        world.Vault.ImportCertificate(CertificateName, world.Client.Certificate);
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(world.Connector(), world.Configuration()));
        var before = await harness.ReadStateAsync();
        var rows = await RowsAsync(harness);
        world.Api.Api.ClearRequests();
        using var other = TestCertificates.Client("someone-else").Certificate;
        world.Vault.ImportCertificate(CertificateName, other);

        var run = await harness.RunAsync(world.Connector(), world.Configuration());

        // TLS 1.3 sends the server's refusal after the client's side of the handshake: the client sees the connection end.
        RunAssert.Failed(run, $"GET {world.Api.Api.BaseUri}sample_data?updated_since=2024-09-01T12%3A00%3A00Z&page=1&per_page=5 failed");
        Assert.Contains(harness.Logs.Lines, line => line.Contains("CN=someone-else", StringComparison.Ordinal));
        Assert.Empty(world.Api.Api.Requests);
        Assert.Equal(rows, await RowsAsync(harness));
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_KilledAfterSevenUpserts_RerunConvergesToACleanSync()
    {
        await using var world = await World.StartAsync();
        world.Vault.ImportCertificate(CertificateName, world.Client.Certificate);
        await using var harness = await HarnessAsync();
        await using var clean = await HarnessAsync();

        // Pages of five: the first page is upserted and checkpointed, two more records go through, the eighth upsert dies.
        var killed = await harness.RunAsync(world.Connector(), world.Configuration(), killAfterOperations: 7);

        RunAssert.Failed(killed, "killed after 7 operations");
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T05:00:00Z"}""", await harness.ReadStateAsync());
        var rerun = await harness.RunAsync(world.Connector(), world.Configuration());
        RunAssert.Succeeded(rerun);
        Assert.Equal(8, rerun.Tables["sample_data"].Upserts);   // from the checkpoint on: record 5 again (inclusive) to 12
        RunAssert.Succeeded(await clean.RunAsync(world.Connector(), world.Configuration()));
        Assert.Equal(await RowsAsync(clean), await RowsAsync(harness));
        Assert.Equal((await clean.ReadStateAsync()).ToJsonString(), (await harness.ReadStateAsync()).ToJsonString());
    }

    [Fact]
    public async Task UpdateAsync_AnyRun_ClientSecretTokenAndPrivateKeyStayOut()
    {
        await using var world = await World.StartAsync();
        world.Vault.ImportCertificate(CertificateName, world.Client.Certificate, FakeKeyVault.PemContentType);
        await using var harness = await HarnessAsync();
        var succeeded = await harness.RunAsync(world.Connector(), world.Configuration());
        world.Api.Revoke();
        var refused = await harness.RunAsync(world.Connector(), world.Configuration());
        world.Vault.Deny("secrets", CertificateName);
        var denied = await harness.RunAsync(world.Connector(), world.Configuration());

        RunAssert.Succeeded(succeeded);
        RunAssert.Failed(refused, "401");
        RunAssert.Failed(denied, "403");
        var keyPem = world.Vault.Get(CertificateName)!;
        var keyBody = string.Concat(keyPem.Split('\n').SkipWhile(l => !l.Contains("PRIVATE KEY", StringComparison.Ordinal)).Skip(1).Take(2))[..40];
        foreach (var secret in new[] { ClientSecret, FakeEntraId.AccessToken, keyBody, world.Client.PrivateKeyPem.Split('\n')[1] })
        {
            await RunAssert.SecretKeptOutAsync(harness, secret, succeeded, refused, denied);
            Assert.DoesNotContain(world.Api.Api.Requests, r => r.ToString().Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SampleConfiguration_NamesTheVaultNotTheCertificate()
    {
        var sample = SampleConfiguration.Read("CertificateFromKeyVault");

        Assert.Equal("https://my-vault.vault.azure.net/", sample["vault_url"]);
        Assert.Equal("tributary-client", sample["certificate_name"]);
        Assert.False(sample.ContainsKey("client_secret"));
    }

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("client_secret", ClientSecret);
        return harness;
    }

    /// <summary>The three services of one test: the vault, Entra ID, and the API that accepts only the issued client certificate.</summary>
    private sealed class World : IAsyncDisposable
    {
        private World(FakeKeyVault vault, FakeEntraId entra, MutualTlsFake api, (X509Certificate2 Certificate, string CertificatePem, string PrivateKeyPem, System.Security.Cryptography.ECDsa Key) client)
        {
            Vault = vault;
            Entra = entra;
            Api = api;
            Client = client;
        }

        public FakeKeyVault Vault { get; }

        public FakeEntraId Entra { get; }

        public MutualTlsFake Api { get; }

        public (X509Certificate2 Certificate, string CertificatePem, string PrivateKeyPem, System.Security.Cryptography.ECDsa Key) Client { get; }

        public static async Task<World> StartAsync()
        {
            var client = TestCertificates.Client("tributary-connection");
            return new World(await FakeKeyVault.StartAsync(), await FakeEntraId.StartAsync(ClientSecret), await MutualTlsFake.StartAsync(client.Certificate), client);
        }

        /// <summary>The connector with a transport that trusts the vault's and Entra ID's self-signed certificates, and only those.</summary>
        public CertificateFromKeyVaultConnector Connector()
        {
            var trusted = new[] { Vault.Certificate.Thumbprint, Entra.Certificate.Thumbprint };
#pragma warning disable CA2000 // the transport owns the handler; the connector's clients live for one sync
            var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && trusted.Contains(certificate.Thumbprint) };
            return new CertificateFromKeyVaultConnector(new KeyVaultAccess
            {
                Transport = new HttpClientTransport(handler),
                DisableChallengeResourceVerification = true,
                DisableInstanceDiscovery = true,
            });
#pragma warning restore CA2000
        }

        public Dictionary<string, string> Configuration() => new(Api.Configuration())
        {
            ["vault_url"] = Vault.VaultUri.ToString(),
            ["certificate_name"] = CertificateName,
            ["tenant_id"] = FakeEntraId.Tenant,
            ["client_id"] = FakeEntraId.ClientId,
            ["authority_host"] = Entra.Api.BaseUri.ToString(),
        };

        public async ValueTask DisposeAsync()
        {
            await Api.DisposeAsync();
            await Entra.DisposeAsync();
            await Vault.DisposeAsync();
            Client.Key.Dispose();
        }
    }
}

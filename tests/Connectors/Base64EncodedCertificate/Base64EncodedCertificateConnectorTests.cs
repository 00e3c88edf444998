using System.Security.Cryptography;
using Tributary.Connectors.Base64EncodedCertificate;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Connectors.Tests.Sources.MutualTls;
using static Tributary.Connectors.Tests.Sources.MutualTls.SampleDataRows;
using Xunit;

namespace Tributary.Connectors.Tests.Base64EncodedCertificate;

public sealed class Base64EncodedCertificateConnectorTests
{
    private const string Name = "base64_encoded_certificate";

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_PresentsTheCertificateAndReadsOnlyChanges()
    {
        var client = TestCertificates.Client("tributary-connection");
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync(client);

        var first = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(12, first.Tables["sample_data"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        Assert.Equal(Expected(fake.Records), await RowsAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T12:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(["/sample_data?page=1&per_page=5", "/sample_data?page=2&per_page=5", "/sample_data?page=3&per_page=5"], fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.StartsWith("https://", fake.Api.BaseUri.ToString(), StringComparison.Ordinal);

        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Update(3, "line 3, edited", harness.Time.GetUtcNow());
        fake.Add(harness.Time.GetUtcNow());
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(3, second.Tables["sample_data"].Upserts);
        Assert.Equal("/sample_data?updated_since=2024-09-01T12%3A00%3A00Z&page=1&per_page=5", Assert.Single(fake.Api.Requests).PathAndQuery);
        Assert.Equal(Expected(fake.Records), await RowsAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-16T12:00:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_EncryptedPrivateKeyWithPasskey_OpensTheKeyAndSyncs()
    {
        var client = TestCertificates.Client("tributary-connection");
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = new ConnectorHarness(Name);
        const string passkey = "badssl.com-like passkey";
        var encrypted = client.Key.ExportEncryptedPkcs8PrivateKeyPem(passkey, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
        await harness.SetSecretAsync("encoded_certificate", TestCertificates.Base64(client.CertificatePem));
        await harness.SetSecretAsync("encoded_private_key", TestCertificates.Base64(encrypted));
        await harness.SetSecretAsync("passkey", passkey);
        var configuration = Configuration(fake);
        configuration["private_key_encrypted"] = "true";

        var run = await harness.RunAsync(new Base64EncodedCertificateConnector(), configuration);
        await harness.SetSecretAsync("passkey", "wrong");
        var wrong = await harness.RunAsync(new Base64EncodedCertificateConnector(), configuration);

        RunAssert.Succeeded(run);
        Assert.Equal(Expected(fake.Records), await RowsAsync(harness));
        RunAssert.Failed(wrong, "that this password opens");
    }

    [Fact]
    public async Task UpdateAsync_RevokedCertificate_FailsNamingTheRefusalAndKeepsState()
    {
        var client = TestCertificates.Client("tributary-connection");
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync(client);
        RunAssert.Succeeded(await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        fake.Revoke();

        var run = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("credentials", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_AnotherClientCertificate_TheHandshakeIsRefusedAndNothingIsRead()
    {
        var issued = TestCertificates.Client("tributary-connection");
        var other = TestCertificates.Client("someone-else");
        await using var fake = await MutualTlsFake.StartAsync(issued.Certificate);
        await using var harness = await HarnessAsync(other);

        var run = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        // TLS 1.3 sends the server's refusal after the client's side of the handshake: the client sees the connection end.
        RunAssert.Failed(run, $"GET {fake.Api.BaseUri}sample_data?page=1&per_page=5 failed after");
        Assert.Empty(fake.Api.Requests);
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_ServerCertificateNotTrusted_FailsTheHandshakeWithoutReading()
    {
        var client = TestCertificates.Client("tributary-connection");
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync(client);
        var configuration = Configuration(fake);
        configuration.Remove("server_ca_certificate");

        var run = await harness.RunAsync(new Base64EncodedCertificateConnector(), configuration);

        RunAssert.Failed(run, $"GET {fake.Api.BaseUri}");
        RunAssert.Failed(run, "failed in the TLS handshake");
        Assert.Contains("UntrustedRoot", run.Error, StringComparison.Ordinal);
        Assert.Empty(fake.Api.Requests);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsEveryRecord()
    {
        var client = TestCertificates.Client("tributary-connection");
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync(client);
        fake.Api.Inject(Fault.TooManyRequests(1));
        fake.Api.Inject(Fault.Unavailable());

        var run = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(Expected(fake.Records), await RowsAsync(harness));
        Assert.Equal(5, fake.Api.Requests.Count);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingUrlKeepsFirstPageAndRerunConverges()
    {
        var client = TestCertificates.Client("tributary-connection");
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync(client);
        fake.Api.Inject(Fault.Malformed(), when: r => r.Query["page"] == "2");

        var failed = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/sample_data?page=2&per_page=5");
        Assert.Equal(1, failed.Checkpoints);
        Assert.Equal(Expected(fake.Records.Take(5)), await RowsAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T05:00:00Z"}""", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(Expected(fake.Records), await RowsAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_AnyRun_CertificateAndKeyNeverLeaveTheTlsHandshake()
    {
        var client = TestCertificates.Client("tributary-connection");
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync(client);
        RunAssert.Succeeded(await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake)));
        fake.Api.Inject(Fault.Malformed());
        var failed = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));
        fake.Revoke();
        var refused = await harness.RunAsync(new Base64EncodedCertificateConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/sample_data?");
        RunAssert.Failed(refused, "401");
        var keyBody = string.Concat(client.PrivateKeyPem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)));
        foreach (var secret in new[] { TestCertificates.Base64(client.PrivateKeyPem), TestCertificates.Base64(client.CertificatePem), keyBody[..40] })
        {
            Assert.DoesNotContain(secret, failed.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, refused.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(fake.Api.Requests, r => r.ToString().Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SampleConfiguration_HasNoCertificateOrKey()
    {
        var sample = SampleConfiguration.Read("Base64EncodedCertificate");

        Assert.Equal("https://api.example.com/", sample["base_url"]);
        Assert.Equal("false", sample["private_key_encrypted"]);
        Assert.False(sample.ContainsKey("encoded_certificate") || sample.ContainsKey("encoded_private_key") || sample.ContainsKey("passkey"));
    }

    private static async Task<ConnectorHarness> HarnessAsync((System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate, string CertificatePem, string PrivateKeyPem, ECDsa Key) client)
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("encoded_certificate", TestCertificates.Base64(client.CertificatePem));
        await harness.SetSecretAsync("encoded_private_key", TestCertificates.Base64(client.PrivateKeyPem));
        return harness;
    }

    private static Dictionary<string, string> Configuration(MutualTlsFake fake) => fake.Configuration();
}

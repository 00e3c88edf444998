using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tributary.Connectors.CertificateFromS3;
using Tributary.Connectors.Tests.Sources.MutualTls;
using static Tributary.Connectors.Tests.Sources.MutualTls.SampleDataRows;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.CertificateFromS3;

// The API side is base64_encoded_certificate's MutualTlsFake (HTTPS, a client certificate required, only the issued one accepted).
[Collection(S3rverSourceCollection.Name)]
public sealed class CertificateFromS3ConnectorTests(S3rverFixture s3rver)
{
    private const string Name = "certificate_from_s3";
    private const string Passkey = "badssl.com-like passkey";

    [Fact]
    public async Task UpdateAsync_FirstSyncThenChanges_ReadsTheCertificateFromS3AndOnlyChanges()
    {
        var client = TestCertificates.Client("tributary-connection");
        using var bucket = await CertificateBucket.CreateAsync(s3rver);
        await bucket.PutAsync(EncryptedPem(client));
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync();

        var first = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));

        RunAssert.Succeeded(first);
        Assert.Equal(12, first.Tables["sample_data"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        Assert.Equal(Expected(fake.Records), await RowsAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T12:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(["/sample_data?page=1&per_page=5", "/sample_data?page=2&per_page=5", "/sample_data?page=3&per_page=5"], fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.Contains(harness.Logs.Lines, line => line.Contains($"s3://{bucket.Name}/{CertificateBucket.ObjectKey}", StringComparison.Ordinal));

        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Update(3, "line 3, edited", harness.Time.GetUtcNow());
        fake.Add(harness.Time.GetUtcNow());
        fake.Api.ClearRequests();
        // The certificate re-exported as PKCS#12 under the same passkey: read afresh at every sync, either format.
        await bucket.PutAsync(client.Certificate.Export(X509ContentType.Pkcs12, Passkey));

        var second = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));

        RunAssert.Succeeded(second);
        Assert.Equal(3, second.Tables["sample_data"].Upserts);
        Assert.Equal("/sample_data?updated_since=2024-09-01T12%3A00%3A00Z&page=1&per_page=5", Assert.Single(fake.Api.Requests).PathAndQuery);
        Assert.Equal(Expected(fake.Records), await RowsAsync(harness));
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-16T12:00:00Z"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_WrongAccessKey_FailsNamingTheKeysAndKeepsState()
    {
        var client = TestCertificates.Client("tributary-connection");
        using var bucket = await CertificateBucket.CreateAsync(s3rver);
        await bucket.PutAsync(EncryptedPem(client));
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake)));
        var before = await harness.ReadStateAsync();
        fake.Api.ClearRequests();
        // s3rver checks the access key id but not a SigV4 signature, so a wrong secret key is what S3 refuses the same way:
        // see S3CertificateObjectTests for SignatureDoesNotMatch.
        await harness.SetSecretAsync("aws_access_key_id", "AKIAWRONGKEY");
        await harness.SetSecretAsync("aws_secret_access_key", "not-the-secret-key");

        var run = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));

        RunAssert.Failed(run, $"S3 refused to read the client certificate s3://{bucket.Name}/{CertificateBucket.ObjectKey}: InvalidAccessKeyId");
        Assert.Contains("'aws_access_key_id' and 'aws_secret_access_key'", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        Assert.Empty(fake.Api.Requests);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
        await RunAssert.SecretKeptOutAsync(harness, "not-the-secret-key", run);
        await RunAssert.SecretKeptOutAsync(harness, "AKIAWRONGKEY", run);
    }

    [Fact]
    public async Task UpdateAsync_CertificateTheApiDoesNotAccept_FailsWithoutReadingAndKeepsState()
    {
        var issued = TestCertificates.Client("tributary-connection");
        using var bucket = await CertificateBucket.CreateAsync(s3rver);
        await bucket.PutAsync(EncryptedPem(issued));
        await using var fake = await MutualTlsFake.StartAsync(issued.Certificate);
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake)));
        var before = await harness.ReadStateAsync();
        var rows = await RowsAsync(harness);
        fake.Api.ClearRequests();
        await bucket.PutAsync(EncryptedPem(TestCertificates.Client("someone-else")));

        var run = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));

        // TLS 1.3 sends the server's refusal after the client's side of the handshake: the client sees the connection end.
        RunAssert.Failed(run, $"GET {fake.Api.BaseUri}sample_data?updated_since=2024-09-01T12%3A00%3A00Z&page=1&per_page=5 failed");
        Assert.Contains(harness.Logs.Lines, line => line.Contains("CN=someone-else", StringComparison.Ordinal));
        Assert.Empty(fake.Api.Requests);
        Assert.Equal(0, run.Checkpoints);
        Assert.Equal(rows, await RowsAsync(harness));
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_MissingObjectOrWrongPasskey_FailsNamingWhatToCheck()
    {
        var client = TestCertificates.Client("tributary-connection");
        using var bucket = await CertificateBucket.CreateAsync(s3rver);
        await bucket.PutAsync(EncryptedPem(client));
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync();
        var missing = Configuration(bucket, fake);
        missing["object_key"] = "clients/nobody.pem";

        var notThere = await harness.RunAsync(new CertificateFromS3Connector(), missing);
        await harness.SetSecretAsync("passkey", "wrong");
        var wrongPasskey = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));

        RunAssert.Failed(notThere, $"S3 has no client certificate at s3://{bucket.Name}/clients/nobody.pem: NoSuchKey");
        RunAssert.Failed(wrongPasskey, $"s3://{bucket.Name}/{CertificateBucket.ObjectKey} is not a usable client certificate");
        Assert.Contains("check secret 'passkey'", wrongPasskey.Error, StringComparison.Ordinal);
        Assert.Empty(fake.Api.Requests);
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_KilledAfterSevenUpserts_RerunConvergesToACleanSync()
    {
        var client = TestCertificates.Client("tributary-connection");
        using var bucket = await CertificateBucket.CreateAsync(s3rver);
        await bucket.PutAsync(EncryptedPem(client));
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync();
        await using var clean = await HarnessAsync();

        // Pages of five: the first page is upserted and checkpointed, two more records go through, the eighth upsert dies.
        var killed = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake), killAfterOperations: 7);

        RunAssert.Failed(killed, "killed after 7 operations");
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T05:00:00Z"}""", await harness.ReadStateAsync());
        var rerun = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));
        RunAssert.Succeeded(rerun);
        Assert.Equal(8, rerun.Tables["sample_data"].Upserts);   // from the checkpoint on: record 5 again (inclusive) to 12
        RunAssert.Succeeded(await clean.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake)));
        Assert.Equal(await RowsAsync(clean), await RowsAsync(harness));
        Assert.Equal((await clean.ReadStateAsync()).ToJsonString(), (await harness.ReadStateAsync()).ToJsonString());
    }

    [Fact]
    public async Task UpdateAsync_AnyRun_KeysPasskeyAndPrivateKeyStayOut()
    {
        var client = TestCertificates.Client("tributary-connection");
        using var bucket = await CertificateBucket.CreateAsync(s3rver);
        var pem = EncryptedPem(client);
        await bucket.PutAsync(pem);
        await using var fake = await MutualTlsFake.StartAsync(client.Certificate);
        await using var harness = await HarnessAsync();
        var succeeded = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));
        fake.Revoke();
        var refused = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));
        await harness.SetSecretAsync("passkey", "wrong passkey");
        var wrongPasskey = await harness.RunAsync(new CertificateFromS3Connector(), Configuration(bucket, fake));

        RunAssert.Succeeded(succeeded);
        RunAssert.Failed(refused, "401");
        RunAssert.Failed(wrongPasskey, "passkey");
        foreach (var secret in new[] { S3rverFixture.SecretKey, Passkey, "wrong passkey", KeyBody(pem), KeyBody(client.PrivateKeyPem) })
        {
            await RunAssert.SecretKeptOutAsync(harness, secret, succeeded, refused, wrongPasskey);
            Assert.DoesNotContain(fake.Api.Requests, r => r.ToString().Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SampleConfiguration_HasNoKeyOrCertificate()
    {
        var sample = SampleConfiguration.Read("CertificateFromS3");

        Assert.Equal("clients/tributary.pem", sample["object_key"]);
        Assert.Equal("https://api.example.com/", sample["base_url"]);
        Assert.DoesNotContain(sample.Keys, key => key.Contains("secret", StringComparison.Ordinal) || key.Contains("access_key", StringComparison.Ordinal) || key == "passkey");
    }

    private static string EncryptedPem((X509Certificate2 Certificate, string CertificatePem, string PrivateKeyPem, ECDsa Key) client) =>
        client.CertificatePem + "\n" + client.Key.ExportEncryptedPkcs8PrivateKeyPem(Passkey, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));

    // A run of the key's base64 body: what would show if the key leaked, whatever the framing around it.
    private static string KeyBody(string pem) =>
        string.Concat(pem[pem.IndexOf("PRIVATE KEY-----", StringComparison.Ordinal)..].Split('\n').Skip(1).Take(2)).Trim()[..40];

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("aws_access_key_id", S3rverFixture.AccessKey);
        await harness.SetSecretAsync("aws_secret_access_key", S3rverFixture.SecretKey);
        await harness.SetSecretAsync("passkey", Passkey);
        return harness;
    }

    private Dictionary<string, string> Configuration(CertificateBucket bucket, MutualTlsFake fake) => new(fake.Configuration())
    {
        ["bucket_name"] = bucket.Name,
        ["object_key"] = CertificateBucket.ObjectKey,
        ["region"] = "us-east-1",
        ["service_url"] = s3rver.ServiceUrl.ToString(),
        ["force_path_style"] = "true",
        ["private_key_encrypted"] = "true",
    };
}

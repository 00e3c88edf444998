using System.Net;
using System.Text;
using Amazon.S3;
using Tributary.Connectors.CertificateFromS3;
using Tributary.Connectors.Tests.Sources.MutualTls;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.CertificateFromS3;

public sealed class S3CertificateObjectTests
{
    [Fact]
    public void Explain_SignatureDoesNotMatch_IsAConfigurationErrorNamingTheSecrets()
    {
        // What S3 answers a wrong secret access key (s3rver does not verify SigV4 signatures, so it is shown here).
        var refused = new AmazonS3Exception("The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        {
            ErrorCode = "SignatureDoesNotMatch",
            StatusCode = HttpStatusCode.Forbidden,
        };

        var error = Assert.IsType<ConfigurationException>(S3CertificateObject.Explain(refused, "s3://bucket/client.pem"));

        Assert.StartsWith("S3 refused to read the client certificate s3://bucket/client.pem: SignatureDoesNotMatch: The request signature", error.Message, StringComparison.Ordinal);
        Assert.Contains("'aws_access_key_id' and 'aws_secret_access_key'", error.Message, StringComparison.Ordinal);
        Assert.Same(refused, error.InnerException);
    }

    [Fact]
    public void Explain_ServerError_IsTransient()
    {
        var failed = new AmazonS3Exception("We encountered an internal error. Please try again.") { ErrorCode = "InternalError", StatusCode = HttpStatusCode.InternalServerError };

        Assert.IsType<SourceUnavailableException>(S3CertificateObject.Explain(failed, "s3://bucket/client.pem"));
    }

    [Fact]
    public void Parse_PemWithoutKeyOrNotACertificate_FailsNamingTheObject()
    {
        var client = TestCertificates.Client("tributary-connection");

        var noKey = Assert.Throws<ConfigurationException>(() => S3CertificateObject.Parse(Encoding.UTF8.GetBytes(client.CertificatePem), null, "s3://b/k.pem"));
        var garbage = Assert.Throws<ConfigurationException>(() => S3CertificateObject.Parse([1, 2, 3], null, "s3://b/k.p12"));
        using var plain = S3CertificateObject.Parse(Encoding.UTF8.GetBytes(client.PrivateKeyPem + "\n" + client.CertificatePem), null, "s3://b/k.pem");

        Assert.StartsWith("s3://b/k.pem is not a usable client certificate", noKey.Message, StringComparison.Ordinal);
        Assert.StartsWith("s3://b/k.p12 is not a usable client certificate", garbage.Message, StringComparison.Ordinal);
        Assert.True(plain.HasPrivateKey);
        Assert.Equal(client.Certificate.Thumbprint, plain.Thumbprint);
    }
}

using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tributary.Connectors.S3CsvValidation;
using Tributary.Connectors.Tests.CsvFiles;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Sdk;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.S3CsvValidation;

/// <summary>The shared CSV scenarios against s3rver, a bucket per test.</summary>
[Collection(S3rverSourceCollection.Name)]
public sealed class S3CsvValidationConnectorTests(S3rverFixture s3rver) : CsvValidationTests(new S3Store(s3rver))
{
    [Fact]
    public void SampleConfiguration_HasEveryKeyTheConnectorReads()
    {
        var sample = SampleConfiguration.Read("S3CsvValidation");

        Assert.Equal(["bucket_name", "force_path_style", "prefix", "region_name", "service_url"], sample.Keys.Order());
    }

    private sealed class S3Store(S3rverFixture s3rver) : CsvStore
    {
        public override string ConnectorName => "s3_csv_validation";

        public override string Secret => S3rverFixture.SecretKey;

        // s3rver checks that the access key id is one of its accounts but does not verify Signature V4 (its authentication
        // middleware says so), so a wrong secret key goes unnoticed there; an unknown access key id is refused, 403
        // InvalidAccessKeyId, through the same path as AWS's 403 SignatureDoesNotMatch for a wrong secret key.
        public override string WrongSecret => "AKIAIOSFODNN7WRONGID";

        public override string RefusedCredentialError => "S3 refused the credentials (InvalidAccessKeyId";

        public override Connector CreateConnector() => new S3CsvValidationConnector();

        public override async Task<Dictionary<string, string>> CreateAsync()
        {
            var bucket = "csv-" + Guid.NewGuid().ToString("N")[..12];
            using var client = Client();
            await client.PutBucketAsync(bucket);
            return new Dictionary<string, string>
            {
                ["bucket_name"] = bucket,
                ["prefix"] = "in/",
                ["region_name"] = "us-east-1",
                ["service_url"] = s3rver.ServiceUrl.AbsoluteUri,
                ["force_path_style"] = "true",
            };
        }

        public override async Task PutAsync(IReadOnlyDictionary<string, string> configuration, string key, string text)
        {
            using var client = Client();
            await client.PutObjectAsync(new PutObjectRequest { BucketName = configuration["bucket_name"], Key = key, ContentBody = text, UseChunkEncoding = false });
        }

        public override async Task DeleteAsync(IReadOnlyDictionary<string, string> configuration, string key)
        {
            using var client = Client();
            await client.DeleteObjectAsync(configuration["bucket_name"], key);
        }

        public override async Task SetSecretsAsync(ConnectorHarness harness)
        {
            await harness.SetSecretAsync("aws_access_key_id", S3rverFixture.AccessKey);
            await harness.SetSecretAsync("aws_secret_access_key", S3rverFixture.SecretKey);
        }

        public override async Task SetWrongSecretAsync(ConnectorHarness harness) =>
            await harness.SetSecretAsync("aws_access_key_id", WrongSecret);

        private AmazonS3Client Client() => new(
            new BasicAWSCredentials(S3rverFixture.AccessKey, S3rverFixture.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = s3rver.ServiceUrl.AbsoluteUri,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
    }
}

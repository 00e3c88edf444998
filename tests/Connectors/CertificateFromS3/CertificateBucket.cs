using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tributary.Testing;

namespace Tributary.Connectors.Tests.CertificateFromS3;

/// <summary>A bucket of its own on s3rver for one test, holding the client certificate object as an operator uploads it.</summary>
public sealed class CertificateBucket : IDisposable
{
    public const string ObjectKey = "clients/tributary.pem";

    private readonly AmazonS3Client _s3;

    private CertificateBucket(AmazonS3Client s3, string name)
    {
        _s3 = s3;
        Name = name;
    }

    public string Name { get; }

    public static async Task<CertificateBucket> CreateAsync(S3rverFixture s3rver)
    {
        var s3 = new AmazonS3Client(
            new BasicAWSCredentials(S3rverFixture.AccessKey, S3rverFixture.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = s3rver.ServiceUrl.ToString(),
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                // s3rver stores an aws-chunked body (with a trailing checksum) as it comes: send plain bodies.
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            });
        var bucket = new CertificateBucket(s3, $"certs-{Guid.NewGuid():N}");
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket.Name });
        return bucket;
    }

    public Task PutAsync(string text, string key = ObjectKey) =>
        _s3.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = key, ContentBody = text, ContentType = "application/x-pem-file", UseChunkEncoding = false });

    public async Task PutAsync(byte[] bytes, string key = ObjectKey)
    {
        using var stream = new MemoryStream(bytes);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = key, InputStream = stream, ContentType = "application/x-pkcs12", UseChunkEncoding = false });
    }

    public void Dispose() => _s3.Dispose();
}

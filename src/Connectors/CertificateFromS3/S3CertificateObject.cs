using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.CertificateFromS3;

/// <summary>
/// The client certificate of <see cref="CertificateFromS3Connector"/>: one S3 object, read with AWSSDK.S3 at the start of
/// every sync and turned into a certificate in memory (never written to disk). The object is either PEM text holding the
/// certificate and its private key (<c>cat client.crt client.key</c>, the key optionally encrypted) or a PKCS#12 file.
/// </summary>
internal static partial class S3CertificateObject
{
    /// <summary>A client certificate with its chain is a few kilobytes; anything far larger is the wrong object.</summary>
    internal const long MaxBytes = 1024 * 1024;

    /// <summary>Reads configuration <c>bucket_name</c>/<c>object_key</c> with secrets <c>aws_access_key_id</c> and <c>aws_secret_access_key</c>.</summary>
    /// <exception cref="ConfigurationException">S3 refused the keys, the object is missing, or it is not a certificate with its key.</exception>
    /// <exception cref="SourceUnavailableException">S3 could not be reached or failed on its side.</exception>
    public static async Task<X509Certificate2> ReadAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var bucket = configuration.GetString("bucket_name");
        var key = configuration.GetString("object_key");
        var location = $"s3://{bucket}/{key}";
        var credentials = new BasicAWSCredentials(
            await context.GetSecretAsync("aws_access_key_id", cancellationToken),
            await context.GetSecretAsync("aws_secret_access_key", cancellationToken));
        using var s3 = new AmazonS3Client(credentials, ClientConfig(configuration));

        byte[] content;
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken);
            if (response.ContentLength > MaxBytes)
            {
                throw new ConfigurationException($"{location} is {response.ContentLength} bytes: not a client certificate. Check configuration 'object_key'.");
            }

            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
            content = buffer.ToArray();
            LogFetched(context.Logger, location, content.Length, response.ETag ?? "none");
        }
        catch (AmazonS3Exception ex)
        {
            throw Explain(ex, location);
        }
        catch (AmazonServiceException ex)
        {
            throw new SourceUnavailableException($"Reading the client certificate {location} failed: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceUnavailableException($"Reading the client certificate {location} failed: S3 could not be reached ({ex.Message}).", ex);
        }

        var password = configuration.GetBoolean("private_key_encrypted", false) ? await context.GetSecretAsync("passkey", cancellationToken) : null;
        return Parse(content, password, location);
    }

    /// <summary>The object's bytes as a certificate with its private key: PEM text when it has a PEM header, PKCS#12 otherwise.</summary>
    /// <exception cref="ConfigurationException">It is neither, or the password does not open the key.</exception>
    internal static X509Certificate2 Parse(byte[] content, string? password, string location)
    {
        try
        {
            if (IsPem(content))
            {
                // One text holds both; the parser takes the first certificate and the first private key in it.
                var pem = Encoding.UTF8.GetString(content);
                return ClientCertificates.FromPem(pem, pem, password);
            }

            return ClientCertificates.FromBase64Pfx(Convert.ToBase64String(content), password);
        }
        catch (ConfigurationException ex)
        {
            throw new ConfigurationException(
                $"{location} is not a usable client certificate: {ex.Message} It must hold the certificate and its private key, as PEM or PKCS#12"
                + (password is null ? " (an encrypted key also needs \"private_key_encrypted\": \"true\" and secret 'passkey')." : "; check secret 'passkey'."),
                ex);
        }
    }

    private static AmazonS3Config ClientConfig(ConnectorConfiguration configuration)
    {
        var region = configuration.GetString("region");
        var config = new AmazonS3Config { ForcePathStyle = configuration.GetBoolean("force_path_style", false) };
        if (configuration.TryGetValue("service_url", out var serviceUrl) && !string.IsNullOrWhiteSpace(serviceUrl))
        {
            // An S3-compatible endpoint (MinIO, a VPC endpoint): requests go there, signed for the region.
            config.ServiceURL = configuration.GetUri("service_url").ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return config;
    }

    /// <summary>What S3 refused, as the exception that tells the runtime whether to retry.</summary>
    internal static Exception Explain(AmazonS3Exception ex, string location) => ex.StatusCode switch
    {
        HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest when IsCredentialError(ex.ErrorCode) => new ConfigurationException(
            $"S3 refused to read the client certificate {location}: {ex.ErrorCode}: {ex.Message} "
            + "Check the connection's secrets 'aws_access_key_id' and 'aws_secret_access_key', and that they may s3:GetObject on that object.",
            ex),
        HttpStatusCode.NotFound => new ConfigurationException(
            $"S3 has no client certificate at {location}: {ex.ErrorCode}: {ex.Message} Check configuration 'bucket_name', 'object_key' and 'region'.", ex),
        >= HttpStatusCode.InternalServerError => new SourceUnavailableException($"S3 failed reading the client certificate {location}: {ex.ErrorCode}: {ex.Message}", ex),
        _ => new ConfigurationException($"S3 refused to read the client certificate {location}: {(int)ex.StatusCode} {ex.ErrorCode}: {ex.Message}", ex),
    };

    private static bool IsCredentialError(string? code) =>
        code is "SignatureDoesNotMatch" or "InvalidAccessKeyId" or "AccessDenied" or "InvalidToken" or "ExpiredToken" or "AuthorizationHeaderMalformed" or "InvalidSecurity";

    private static bool IsPem(byte[] content) =>
        content.AsSpan().IndexOf("-----BEGIN "u8) >= 0;

    [LoggerMessage(EventId = 2810, Level = LogLevel.Information, Message = "Read the client certificate {Location} ({Bytes} bytes, ETag {ETag})")]
    private static partial void LogFetched(ILogger logger, string location, int bytes, string etag);
}

using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tributary.Connectors.CsvFiles;
using Tributary.Sdk;

namespace Tributary.Connectors.S3CsvValidation;

/// <summary>The <c>.csv</c> objects under a prefix of a bucket: listed by <c>ListObjectsV2</c> pages, read by <c>GetObject</c>.</summary>
internal sealed class S3CsvFileSource(IAmazonS3 client, string bucket, string prefix) : ICsvFileSource
{
    public string Location => $"s3://{bucket}/{prefix}";

    public async IAsyncEnumerable<CsvFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        do
        {
            var page = await CallAsync(() => client.ListObjectsV2Async(request, cancellationToken), "ListObjectsV2");
            foreach (var item in page.S3Objects ?? [])
            {
                if (item.Key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                {
                    yield return new CsvFile(item.Key, Version(item.ETag));
                }
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (request.ContinuationToken is not null);
    }

    public async Task<OpenedCsvFile> OpenAsync(CsvFile file, CancellationToken cancellationToken)
    {
        var response = await CallAsync(() => client.GetObjectAsync(bucket, file.Key, cancellationToken), $"GetObject {file.Key}");
        return new OpenedCsvFile(response.ResponseStream, Version(response.ETag), response);
    }

    // S3 quotes its ETags in listings and headers alike; the version is the bare value.
    private static string Version(string etag) => etag.Trim('"');

    // S3's refusals name what is wrong in their error code; a refused credential or a missing bucket cannot be retried away.
    private async Task<T> CallAsync<T>(Func<Task<T>> call, string operation)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
            || ex.ErrorCode is "SignatureDoesNotMatch" or "InvalidAccessKeyId" or "AccessDenied")
        {
            throw new ConfigurationException(
                $"{operation} on {Location}: S3 refused the credentials ({ex.ErrorCode}: {ex.Message}); check the secrets aws_access_key_id and aws_secret_access_key and their permission to list and read the bucket.",
                ex);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchBucket")
        {
            throw new ConfigurationException($"{operation} on {Location}: the bucket '{bucket}' does not exist (check bucket_name, region_name and service_url).", ex);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException)
        {
            throw new SourceUnavailableException($"{operation} on {Location} failed: {ex.Message}", ex);
        }
    }
}

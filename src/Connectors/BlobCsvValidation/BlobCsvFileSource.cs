using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Connectors.CsvFiles;
using Tributary.Sdk;

namespace Tributary.Connectors.BlobCsvValidation;

/// <summary>The <c>.csv</c> blobs under a prefix of a container: listed by pages, read by a streaming download.</summary>
internal sealed class BlobCsvFileSource(BlobContainerClient container, string prefix) : ICsvFileSource
{
    public string Location => $"{container.Uri.AbsoluteUri}/{prefix}";

    public async IAsyncEnumerable<CsvFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var pages = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        while (await CallAsync(async () => await pages.MoveNextAsync(), "List Blobs"))
        {
            foreach (var blob in pages.Current.Values)
            {
                if (blob.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && blob.Properties.ETag is { } etag)
                {
                    yield return new CsvFile(blob.Name, Version(etag));
                }
            }
        }
    }

    public async Task<OpenedCsvFile> OpenAsync(CsvFile file, CancellationToken cancellationToken)
    {
        var download = await CallAsync(
            async () => (await container.GetBlobClient(file.Key).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value,
            $"Get Blob {file.Key}");
        return new OpenedCsvFile(download.Content, Version(download.Details.ETag));
    }

    // The listing gives an ETag bare, a download quoted: the version is the bare value.
    private static string Version(ETag etag) => etag.ToString().Trim('"');

    // A refused key (403 AuthenticationFailed / AuthorizationFailure) or a missing container cannot be retried away.
    private async Task<T> CallAsync<T>(Func<Task<T>> call, string operation)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            throw new ConfigurationException(
                $"{operation} on {Location}: Blob Storage refused the credentials ({ex.ErrorCode}); check the secret account_key and the configured account_name.",
                ex);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            throw new ConfigurationException($"{operation} on {Location}: the container does not exist (check container_name and blob_endpoint).", ex);
        }
        catch (RequestFailedException ex)
        {
            throw new SourceUnavailableException($"{operation} on {Location} failed ({ex.Status} {ex.ErrorCode}).", ex);
        }
        catch (AggregateException ex)
        {
            // What the client's retries end with when every attempt failed to reach the endpoint.
            throw new SourceUnavailableException($"{operation} on {Location} failed: {ex.Message}", ex);
        }
    }
}

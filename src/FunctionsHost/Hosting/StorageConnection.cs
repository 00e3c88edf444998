using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Tributary.Azure.Queue;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>
/// The <c>TributaryStorage</c> connection, read the way the Functions host reads its queue trigger's connection: a connection
/// string in <c>TributaryStorage</c> (locally <c>UseDevelopmentStorage=true</c>), or identity-based
/// <c>TributaryStorage__blobServiceUri</c> / <c>__queueServiceUri</c> with the host's credential.
/// </summary>
internal static class StorageConnection
{
    /// <summary>The connection's name, as the queue triggers name it.</summary>
    public const string Name = "TributaryStorage";

    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration, Uri? stateStoreUri, Func<TokenCredential> credential)
    {
        if (stateStoreUri is not null)
        {
            return new BlobServiceClient(stateStoreUri, credential());
        }

        if (ConnectionString(configuration) is { } connectionString)
        {
            return new BlobServiceClient(connectionString);
        }

        return new BlobServiceClient(ServiceUri(configuration, "blobServiceUri"), credential());
    }

    public static QueueClient CreateRunQueueClient(IConfiguration configuration, Func<TokenCredential> credential)
    {
        var options = RunQueue.CreateClientOptions();
        if (ConnectionString(configuration) is { } connectionString)
        {
            return new QueueClient(connectionString, RunQueue.DefaultName, options);
        }

        var service = new QueueServiceClient(ServiceUri(configuration, "queueServiceUri"), credential(), options);
        return service.GetQueueClient(RunQueue.DefaultName);
    }

    private static string? ConnectionString(IConfiguration configuration) =>
        configuration[Name] is { Length: > 0 } value ? value : null;

    private static Uri ServiceUri(IConfiguration configuration, string key) =>
        Uri.TryCreate(configuration[$"{Name}:{key}"], UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException(
                $"Storage connection '{Name}' is not configured: set {Name} to a connection string (UseDevelopmentStorage=true for Azurite) " +
                $"or {Name}__{key} to the account's endpoint.");
}

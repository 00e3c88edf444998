using Azure;
using Azure.Storage.Blobs;

namespace Tributary.Azure.State;

/// <summary>
/// Creates a blob container on its first use, once per instance. A 403 is not an error: data roles may not create
/// containers, and where the infrastructure made the container a missing one fails the next call clearly.
/// </summary>
/// <param name="container">The container.</param>
/// <param name="create">Whether to create it at all; <see langword="false"/>: the infrastructure does.</param>
internal sealed class ContainerOnFirstUse(BlobContainerClient container, bool create = true)
{
    private volatile Task? _ready;

    /// <summary>Returns once the container exists (or creating it is not this instance's job).</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (!create)
        {
            return Task.CompletedTask;
        }

        var ready = _ready;
        return ready is { IsCompletedSuccessfully: true } ? ready : _ready = CreateAsync(cancellationToken);
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // The infrastructure created it.
        }
    }
}

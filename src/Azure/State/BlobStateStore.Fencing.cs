using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Tributary.Runtime.State;

namespace Tributary.Azure.State;

/// <summary>
/// The lease as a fencing token: each acquisition counts itself in the lease blob's <c>epoch</c> metadata and stamps that
/// epoch on <c>state.json</c>; a fenced state write of a smaller epoch is refused.
/// </summary>
public sealed partial class BlobStateStore
{
    private const string EpochKey = "epoch";

    private static ConnectorBusyException Fenced(string connector, long latest, long mine) => new(
        $"The lease of connector '{connector}' was taken again (epoch {latest}) since this run took it (epoch {mine}): this run lost its lease, and its state write was refused.");

    private static Dictionary<string, string> EpochMetadata(long epoch) =>
        epoch > 0 ? new(StringComparer.Ordinal) { [EpochKey] = epoch.ToString(CultureInfo.InvariantCulture) } : [];

    private static long ReadEpoch(IDictionary<string, string>? metadata, string name) =>
        metadata is null || !metadata.TryGetValue(EpochKey, out var text) ? 0
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ? epoch
        : throw new InvalidDataException($"Blob '{name}' has epoch metadata '{text}', not a number.");

    /// <summary>
    /// Makes a freshly acquired lease a fencing token: counts the acquisition in the lease blob's metadata (only the holder may
    /// write it), then stamps the new epoch on <c>state.json</c> with an ETag condition, so every state write of an earlier
    /// epoch fails from now on. Releases the lease and throws when the stamp finds a later epoch already there.
    /// </summary>
    private async Task<long> FenceAsync(string connector, BlobClient leaseBlob, BlobLeaseClient leases, CancellationToken cancellationToken)
    {
        try
        {
            var holder = new BlobRequestConditions { LeaseId = leases.LeaseId };
            var properties = await leaseBlob.GetPropertiesAsync(holder, cancellationToken);
            var epoch = ReadEpoch(properties.Value.Metadata, leaseBlob.Name) + 1;
            await leaseBlob.SetMetadataAsync(EpochMetadata(epoch), holder, cancellationToken);
            await StampStateAsync(connector, epoch, cancellationToken);
            return epoch;
        }
        catch
        {
            try
            {
                await leases.ReleaseAsync(cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException)
            {
                // Lost already; it expires on its own.
            }

            throw;
        }
    }

    private async Task StampStateAsync(string connector, long epoch, CancellationToken cancellationToken)
    {
        var state = _container.GetBlobClient(Folder(connector) + "state.json");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            _known.TryRemove(connector, out _);   // the stamp changes the ETag a cached write would match
            try
            {
                var properties = (await state.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                var stored = ReadEpoch(properties.Metadata, state.Name);
                if (stored >= epoch)
                {
                    throw new ConnectorBusyException(
                        $"Connector '{connector}' was leased again (epoch {stored}) while this run was taking its lease (epoch {epoch}).");
                }

                await state.SetMetadataAsync(EpochMetadata(epoch), new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                try
                {
                    // No state yet: an empty one carries the stamp, so even a first state write of an earlier epoch fails.
                    await state.UploadAsync(
                        BinaryData.FromBytes(Serialize(new StateSnapshot([], null, null))),
                        new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, HttpHeaders = JsonHeaders, Metadata = EpochMetadata(epoch) },
                        cancellationToken);
                    return;
                }
                catch (RequestFailedException created) when (created.Status is 409 or 412)
                {
                    // Written since we looked: look again.
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Written since we looked: look again.
            }
        }

        throw new StateConflictException($"The state of '{connector}' kept changing while a new lease was being stamped on it.");
    }
}

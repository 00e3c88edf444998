using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Azure.State;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;

namespace Tributary.Azure.Scheduling;

/// <summary>The last due time the scheduler claimed for a connection, and the blob version it was read at.</summary>
/// <param name="DueAt">The due time claimed; for the mark written when the scheduler first saw the connection, the time it is
/// scheduled from.</param>
/// <param name="SyncId">The sync queued for it; <see langword="null"/> for the mark written when the scheduler first saw the
/// connection (nothing was queued).</param>
/// <param name="ETag">The blob's ETag, the condition of the next claim.</param>
public sealed record ScheduleMark(DateTimeOffset DueAt, string? SyncId, ETag ETag);

/// <summary>
/// The scheduler's idempotent marker per connection and due time: one small blob per connection,
/// <c>schedule/&lt;connection&gt;.json</c> in the state container, holding the last due time claimed. A claim is a conditional
/// write (<c>If-Match</c> the ETag read, <c>If-None-Match: *</c> for the first), so of any number of scheduler instances that tick
/// for the same due time exactly one claim succeeds, and a repeated tick finds the due time claimed already. The blob never grows.
/// </summary>
public sealed class BlobScheduleMarkers
{
    private const string Prefix = "schedule/";

    private readonly BlobContainerClient _container;
    private readonly ContainerOnFirstUse _containerReady;

    /// <summary>Markers in <paramref name="containerName"/> of <paramref name="service"/> (the state store's container).</summary>
    public BlobScheduleMarkers(BlobServiceClient service, string containerName = State.BlobStateStoreOptions.DefaultContainerName)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        _container = service.GetBlobContainerClient(containerName);
        _containerReady = new ContainerOnFirstUse(_container);
    }

    /// <summary>The connection's mark, or <see langword="null"/> when the scheduler has never claimed a due time for it.</summary>
    public async Task<ScheduleMark?> ReadAsync(string connection, CancellationToken cancellationToken)
    {
        var blob = Blob(connection);
        try
        {
            var content = (await blob.DownloadContentAsync(cancellationToken)).Value;
            var body = content.Content.ToObjectFromJson<Body>(StateJson.Options)
                ?? throw new InvalidDataException($"Schedule marker '{blob.Name}' holds null.");
            return new ScheduleMark(body.DueAt, body.SyncId, content.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Schedule marker '{blob.Name}' in container '{_container.Name}' is not marker JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Claims <paramref name="dueAt"/> for the connection when its mark is still <paramref name="previous"/> (absent when
    /// <see langword="null"/>). Returns the new mark, or <see langword="null"/> when another writer changed the mark first.
    /// </summary>
    public async Task<ScheduleMark?> TryClaimAsync(
        string connection, DateTimeOffset dueAt, string? syncId, ScheduleMark? previous, DateTimeOffset claimedAt, CancellationToken cancellationToken)
    {
        var blob = Blob(connection);
        var conditions = previous is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = previous.ETag };
        var content = BinaryData.FromObjectAsJson(new Body(dueAt, syncId, claimedAt), StateJson.Options);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var info = await blob.UploadAsync(content, new BlobUploadOptions { Conditions = conditions }, cancellationToken);
                return new ScheduleMark(dueAt, syncId, info.Value.ETag);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                return null;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound && attempt == 0)
            {
                await _containerReady.EnsureAsync(cancellationToken);
            }
        }
    }

    /// <summary>Puts back the mark a claim replaced (its run could not be queued), unless the mark changed since.</summary>
    public async Task RevertAsync(string connection, ScheduleMark claimed, ScheduleMark? previous, CancellationToken cancellationToken)
    {
        var blob = Blob(connection);
        var conditions = new BlobRequestConditions { IfMatch = claimed.ETag };
        try
        {
            if (previous is null)
            {
                await blob.DeleteIfExistsAsync(conditions: conditions, cancellationToken: cancellationToken);
            }
            else
            {
                var content = BinaryData.FromObjectAsJson(new Body(previous.DueAt, previous.SyncId, null), StateJson.Options);
                await blob.UploadAsync(content, new BlobUploadOptions { Conditions = conditions }, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another instance claimed a later due time since: its mark stands.
        }
    }

    private BlobClient Blob(string connection)
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        if (!Names.IsSnakeCase(connection))
        {
            throw new ArgumentException($"'{connection}' is not a connection id (lower snake case).", nameof(connection));
        }

        return _container.GetBlobClient(Prefix + connection + ".json");
    }

    private sealed record Body(DateTimeOffset DueAt, string? SyncId, DateTimeOffset? ClaimedAt);
}

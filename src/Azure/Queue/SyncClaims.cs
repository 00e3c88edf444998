using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;

namespace Tributary.Azure.Queue;

/// <summary>
/// Which run of each queued sync has been claimed and which has completed, in <c>connectors/&lt;name&gt;/syncs/&lt;sync id&gt;.json</c>
/// beside the state: <c>{ continuation, completed, continues, queued, epoch }</c>. Every write is conditional on the ETag the writer
/// read, and a run claims its continuation while it holds the connector's lease, so a duplicated or redelivered run message
/// finds its continuation claimed by a live run (the lease is held), completed, or superseded, and never starts a second
/// chain of runs for the sync. When a sync ends (its last continuation completed, none to queue) its blob is tagged
/// <c>tributary-retention=sync</c>, and the storage lifecycle policy deletes it once no message of the sync can still be
/// delivered: queue messages live 7 days, the policy waits 8. A sync that has not ended keeps its blob.
/// </summary>
internal sealed class SyncClaims(BlobContainerClient container)
{
    /// <summary>The <see cref="State.BlobStateStore.RetentionTagName"/> value on the blob of a sync that has ended.</summary>
    internal const string EndedTag = "sync";

    /// <summary>What a message's continuation finds.</summary>
    /// <param name="Continuation">The continuation the sync has reached.</param>
    /// <param name="Completed">Whether that continuation's run has ended.</param>
    /// <param name="Continues">Whether that run ended paused, so the next continuation is to be queued.</param>
    /// <param name="Queued">Whether the next continuation was queued.</param>
    /// <param name="Epoch">The lease epoch of the run that claimed it.</param>
    internal sealed record Progress(int Continuation, bool Completed, bool Continues, bool Queued, long Epoch)
    {
        /// <summary>The blob's ETag when read; not stored.</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public ETag ETag { get; init; }
    }

    /// <summary>A continuation this run claimed; <see cref="CompleteAsync"/> ends it.</summary>
    internal sealed record Claim(string Connector, string SyncId, int Continuation, long Epoch, ETag ETag);

    /// <summary>
    /// The sync's progress when <paramref name="continuation"/> is already done — completed, or a later continuation claimed —
    /// so the message is a duplicate; <see langword="null"/> when the continuation may still have to run.
    /// </summary>
    public async Task<Progress?> FindDoneAsync(string connector, string syncId, int continuation, CancellationToken cancellationToken)
    {
        var progress = await ReadAsync(connector, syncId, cancellationToken);
        return progress is not null && IsDone(progress, continuation) ? progress : null;
    }

    /// <summary>
    /// Claims <paramref name="continuation"/> for a run holding the connector's lease at <paramref name="epoch"/>. A claim left
    /// by a run that no longer holds the lease (it died or lost it) is taken over. Returns the claim, or the progress that makes
    /// the message a duplicate.
    /// </summary>
    public async Task<(Claim? Claim, Progress? Done)> TryClaimAsync(string connector, string syncId, int continuation, long epoch, CancellationToken cancellationToken)
    {
        var blob = Blob(connector, syncId);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var progress = await ReadAsync(connector, syncId, cancellationToken);
            if (progress is not null && IsDone(progress, continuation))
            {
                return (null, progress);
            }

            var conditions = progress is not null ? new BlobRequestConditions { IfMatch = progress.ETag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                var written = await blob.UploadAsync(Content(new Progress(continuation, false, false, false, epoch)), Options(conditions), cancellationToken);
                return (new Claim(connector, syncId, continuation, epoch, written.Value.ETag), null);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Written since we read it: read again.
            }
        }

        throw new StateConflictException($"The progress of sync '{syncId}' of '{connector}' kept changing while a run was claiming it.");
    }

    /// <summary>
    /// Marks the claimed continuation completed, and whether the next one is to be queued; returns the claim as completed. Null
    /// when the claim was taken over meanwhile: this run lost its lease, and the run that holds it carries the sync on.
    /// </summary>
    public async Task<Claim?> CompleteAsync(Claim claim, bool continues, CancellationToken cancellationToken)
    {
        try
        {
            var options = Options(new BlobRequestConditions { IfMatch = claim.ETag });
            if (!continues)
            {
                // Nothing of the sync is queued after this: the lifecycle policy may delete the blob once its messages have expired.
                options.Tags = new Dictionary<string, string> { [State.BlobStateStore.RetentionTagName] = EndedTag };
            }

            var written = await Blob(claim.Connector, claim.SyncId).UploadAsync(
                Content(new Progress(claim.Continuation, true, continues, false, claim.Epoch)), options, cancellationToken);
            return claim with { ETag = written.Value.ETag };
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    /// <summary>
    /// Notes that the next continuation of a completed one is on the queue, so a late duplicate of the completed one does not
    /// queue it again. Best effort: when the blob changed meanwhile, the next continuation has moved the sync on already.
    /// </summary>
    public async Task MarkQueuedAsync(string connector, string syncId, Progress completed, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(connector, syncId).UploadAsync(
                Content(completed with { Queued = true }),
                Options(new BlobRequestConditions { IfMatch = completed.ETag }),
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Moved on.
        }
    }

    private static bool IsDone(Progress progress, int continuation) =>
        progress.Continuation > continuation || progress.Continuation == continuation && progress.Completed;

    private async Task<Progress?> ReadAsync(string connector, string syncId, CancellationToken cancellationToken)
    {
        try
        {
            var blob = (await Blob(connector, syncId).DownloadContentAsync(cancellationToken)).Value;
            try
            {
                return blob.Content.ToObjectFromJson<Progress>(StateJson.Options) is { } progress ? progress with { ETag = blob.Details.ETag } : null;
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The progress blob of sync '{syncId}' of '{connector}' is not valid JSON: {ex.Message}", ex);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private BlobClient Blob(string connector, string syncId)
    {
        ArgumentException.ThrowIfNullOrEmpty(syncId);
        if (!Names.IsSnakeCase(connector))
        {
            throw new ArgumentException($"'{connector}' is not a connector name (lower snake case).", nameof(connector));
        }

        return container.GetBlobClient($"connectors/{connector}/syncs/{Uri.EscapeDataString(syncId)}.json");
    }

    private static BlobUploadOptions Options(BlobRequestConditions conditions) =>
        new() { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } };

    private static BinaryData Content(Progress progress) => BinaryData.FromObjectAsJson(progress, StateJson.Options);
}

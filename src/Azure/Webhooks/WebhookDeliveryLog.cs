using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Azure.State;
using Tributary.Runtime.Schema;

namespace Tributary.Azure.Webhooks;

/// <summary>
/// The webhook ids already received, shared by every instance of the app: one blob per connector and id,
/// <c>webhook-deliveries/&lt;connector&gt;/&lt;SHA-256 of the id, hex&gt;</c> in the state container, created with
/// <c>If-None-Match: *</c>, so of two deliveries of one id — at the same moment, on two instances — exactly one is claimed.
/// A claim lasts until the time given with it (the end of the delivery's timestamp window, after which the signed request is
/// refused anyway); a claim past that is taken over, and such claims are deleted by age: here, at most once per
/// <c>pruneEvery</c> per connector, and by the storage account's lifecycle policy (the <c>webhook-deliveries/</c> prefix).
/// </summary>
public sealed partial class WebhookDeliveryLog
{
    /// <summary>The folder of the claims in the container.</summary>
    public const string Prefix = "webhook-deliveries/";

    private const string ExpiresKey = "expires";

    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pruneEvery;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastPruned = new(StringComparer.Ordinal);
    private readonly ContainerOnFirstUse _containerReady;

    /// <summary>Creates the log in <paramref name="container"/> (the state container; created on first use when missing).</summary>
    /// <param name="container">The container.</param>
    /// <param name="pruneEvery">How often, per connector, one instance deletes the claims that have expired; positive.</param>
    /// <param name="timeProvider">The clock of expiries; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives pruning notes; none when omitted.</param>
    public WebhookDeliveryLog(BlobContainerClient container, TimeSpan pruneEvery, TimeProvider? timeProvider = null, ILogger<WebhookDeliveryLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pruneEvery, TimeSpan.Zero);
        _container = container;
        _containerReady = new ContainerOnFirstUse(container);
        _pruneEvery = pruneEvery;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Claims <paramref name="id"/> for <paramref name="connector"/> until <paramref name="expiresAt"/>.</summary>
    /// <returns>The claim, or <see langword="null"/> when an unexpired claim of the id exists: the delivery was received before.</returns>
    public async Task<WebhookDeliveryClaim?> TryClaimAsync(string connector, string id, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var blob = _container.GetBlobClient(Name(connector, id));
        await _containerReady.EnsureAsync(cancellationToken);
        var options = new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { [ExpiresKey] = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            var created = await blob.UploadAsync(BinaryData.Empty, options, cancellationToken);
            await PruneIfDueAsync(connector, cancellationToken);
            return new WebhookDeliveryClaim(blob, created.Value.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Claimed before: refused, unless that claim has expired.
        }

        BlobProperties existing;
        try
        {
            existing = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;   // released or pruned this instant: the sender retries, and that retry is claimed
        }

        if (Expires(existing.Metadata) > _time.GetUtcNow())
        {
            return null;
        }

        try
        {
            options.Conditions = new BlobRequestConditions { IfMatch = existing.ETag };
            var replaced = await blob.UploadAsync(BinaryData.Empty, options, cancellationToken);
            return new WebhookDeliveryClaim(blob, replaced.Value.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;   // another delivery of the id took the expired claim over first
        }
    }

    private async Task PruneIfDueAsync(string connector, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_lastPruned.TryGetValue(connector, out var last) && now - last < _pruneEvery)
        {
            return;
        }

        _lastPruned[connector] = now;
        var deleted = 0;
        try
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = Folder(connector), Traits = BlobTraits.Metadata }, cancellationToken))
            {
                if (Expires(item.Metadata) <= now)
                {
                    await _container.GetBlobClient(item.Name).DeleteIfExistsAsync(
                        conditions: new BlobRequestConditions { IfMatch = item.Properties.ETag },
                        cancellationToken: cancellationToken);
                    deleted++;
                }
            }
        }
        catch (RequestFailedException ex)
        {
            // Pruning is housekeeping: the lifecycle policy deletes what is left, and the delivery itself was claimed.
            LogPruneFailed(_logger, connector, ex.Status);
            return;
        }

        if (deleted > 0)
        {
            LogPruned(_logger, connector, deleted);
        }
    }

    private static DateTimeOffset Expires(IDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(ExpiresKey, out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;   // unreadable: expired

    private static string Folder(string connector)
    {
        if (!Names.IsSnakeCase(connector))
        {
            throw new ArgumentException($"'{connector}' is not a connector name (lower snake case).", nameof(connector));
        }

        return Prefix + connector + "/";
    }

    private static string Name(string connector, string id) =>
        Folder(connector) + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    [LoggerMessage(2300, LogLevel.Debug, "Deleted {Count} expired webhook delivery claims of {Connector}")]
    private static partial void LogPruned(ILogger logger, string connector, int count);

    [LoggerMessage(2301, LogLevel.Warning, "Could not prune the webhook delivery claims of {Connector}: storage answered {Status}")]
    private static partial void LogPruneFailed(ILogger logger, string connector, int status);
}

/// <summary>A claimed webhook id. Releasing it lets a retry of the delivery (same id) be handled.</summary>
public sealed class WebhookDeliveryClaim
{
    private readonly BlobClient _blob;
    private readonly ETag _etag;

    internal WebhookDeliveryClaim(BlobClient blob, ETag etag)
    {
        _blob = blob;
        _etag = etag;
    }

    /// <summary>Deletes the claim, unless another delivery has taken it over since.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = _etag }, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Taken over by a later delivery: that one's claim stays.
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;

namespace Tributary.Azure.State;

/// <summary>
/// The state store on Azure Blob Storage. Per connector, in the container (default <c>tributary-state</c>):
/// <list type="table">
/// <item><term><c>connectors/&lt;name&gt;/state.json</c></term><description>the current state: <c>{ version, savedAt, state }</c>,
/// replaced only with an ETag condition (<c>If-Match</c> the ETag the writer read; <c>If-None-Match: *</c> for the first write),
/// so a writer that read an older state can never overwrite a newer one. Its <c>epoch</c> metadata is the largest lease epoch
/// that wrote or claimed it: each lease acquisition stamps it (creating an empty <c>state.json</c> when there is none), and a
/// fenced write of a smaller epoch is refused, so a run that lost its lease cannot save over the run that holds it now.</description></item>
/// <item><term><c>connectors/&lt;name&gt;/history/&lt;version, 12 digits&gt;.json</c></term><description>every checkpoint ever saved,
/// written after the state it copies; <see cref="HistoryAsync"/> and <see cref="RollbackAsync"/> read them.</description></item>
/// <item><term><c>connectors/&lt;name&gt;/runs/&lt;inverted start ticks&gt;-&lt;run id&gt;.json</c></term><description>run records; the
/// inverted ticks make a plain listing newest first, and the sync id is kept in each one's metadata, so a page of runs downloads
/// only the records it returns.</description></item>
/// <item><term><c>connectors/&lt;name&gt;/queued</c></term><description>the sync waiting in the run queue, if any
/// (<see cref="TryReserveRunAsync"/>).</description></item>
/// <item><term><c>connectors/&lt;name&gt;/lease</c></term><description>an empty blob whose blob lease is the connector's one-writer lock,
/// renewed in the background while a run lasts; its <c>epoch</c> metadata counts the acquisitions (the fencing token), written
/// only by the lease's holder.</description></item>
/// </list>
/// History and run blobs carry the blob index tag <c>tributary-retention</c> for the lifecycle policy, and are pruned when a run
/// ends as <see cref="BlobStateStoreOptions.Retention"/> says.
/// Versions are decimal sequence numbers (<c>1</c>, <c>2</c>, …) like the local store's; the ETag is the concurrency guard under them.
/// Thread-safe; one instance serves every connector.
/// </summary>
public sealed partial class BlobStateStore : IStateStore
{
    private const string LeaseBlob = "lease";
    private const string ReservationBlob = "queued";

    private readonly BlobContainerClient _container;
    private readonly BlobStateStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // The version and ETag of state.json last read or written here: a checkpoint that expects that version writes with
    // If-Match on that ETag without reading the blob again. A stale entry only makes the write fail with a conflict.
    private readonly ConcurrentDictionary<string, (string Version, ETag ETag, long Epoch)> _known = new(StringComparer.Ordinal);
    private readonly ContainerOnFirstUse _containerReady;

    /// <summary>Creates a store in <see cref="BlobStateStoreOptions.ContainerName"/> of <paramref name="service"/>.</summary>
    /// <param name="service">The storage account's blob service.</param>
    /// <param name="options">Container and lease settings; validated here.</param>
    /// <param name="timeProvider">The clock of save times and lease renewals; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives lease and conflict notes; none when omitted.</param>
    public BlobStateStore(BlobServiceClient service, BlobStateStoreOptions? options = null, TimeProvider? timeProvider = null, ILogger<BlobStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        _options = options ?? new BlobStateStoreOptions();
        _options.Validate();
        _container = service.GetBlobContainerClient(_options.ContainerName);
        _containerReady = new ContainerOnFirstUse(_container, _options.CreateContainer);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The container of every connector's blobs; the queue's sync claims live beside the state.</summary>
    internal BlobContainerClient Container => _container;

    /// <summary>Raised with every lease this store hands out; tests use it to drive and watch renewals.</summary>
    internal event Action<BlobConnectorLease>? LeaseAcquired;

    /// <inheritdoc />
    public async Task<StateSnapshot> ReadAsync(string connector, CancellationToken cancellationToken)
    {
        var (snapshot, _, _) = await ReadCurrentAsync(connector, cancellationToken);
        return snapshot;
    }

    /// <inheritdoc />
    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, CancellationToken cancellationToken) =>
        WriteAsync(connector, state, expectedVersion, epoch: null, cancellationToken);

    /// <inheritdoc />
    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long epoch, CancellationToken cancellationToken) =>
        WriteAsync(connector, state, expectedVersion, (long?)epoch, cancellationToken);

    private async Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long? epoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var folder = Folder(connector);
        await _containerReady.EnsureAsync(cancellationToken);
        ETag? etag;
        string? currentVersion;
        long stored;
        if (expectedVersion is not null && _known.TryGetValue(connector, out var known) && known.Version == expectedVersion)
        {
            (currentVersion, etag, stored) = known;
        }
        else
        {
            var (current, currentETag, currentEpoch) = await ReadCurrentAsync(connector, cancellationToken);
            (currentVersion, etag, stored) = (current.Version, currentETag, currentEpoch);
        }

        if (epoch is { } mine && stored > mine)
        {
            throw Fenced(connector, stored, mine);
        }

        if (currentVersion != expectedVersion)
        {
            throw Conflict(connector, currentVersion, expectedVersion, null);
        }

        var version = (currentVersion is null ? 1 : ParseVersion(currentVersion) + 1).ToString(CultureInfo.InvariantCulture);
        var snapshot = new StateSnapshot((JsonObject)state.DeepClone(), version, _time.GetUtcNow());
        var content = BinaryData.FromBytes(Serialize(snapshot));
        var written = Math.Max(stored, epoch ?? 0);
        var conditions = etag is { } match ? new BlobRequestConditions { IfMatch = match } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        Response<BlobContentInfo> saved;
        try
        {
            saved = await _container.GetBlobClient(folder + "state.json").UploadAsync(
                content,
                new BlobUploadOptions { Conditions = conditions, HttpHeaders = JsonHeaders, Metadata = EpochMetadata(written) },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // 412: state.json changed since its ETag was read (a newer state, or a later lease's stamp); 409: it was created since we saw none.
            _known.TryRemove(connector, out _);
            LogConflict(_logger, connector, expectedVersion ?? "none");
            if (epoch is { } fenced && (await ReadCurrentAsync(connector, cancellationToken)).Epoch is var latest && latest > fenced)
            {
                throw Fenced(connector, latest, fenced);
            }

            throw Conflict(connector, "newer", expectedVersion, ex);
        }

        _known[connector] = (version, saved.Value.ETag, written);

        // The history copy follows the conditional write, so only the writer that won this version writes it.
        await _container.GetBlobClient(folder + "history/" + HistoryName(version)).UploadAsync(
            content,
            new BlobUploadOptions { HttpHeaders = JsonHeaders, Metadata = HistoryMetadata(snapshot), Tags = RetentionTag(HistoryTag) },
            cancellationToken);
        return snapshot;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateSnapshot> HistoryAsync(string connector, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await _containerReady.EnsureAsync(cancellationToken);
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = Folder(connector) + "history/" }, cancellationToken))
        {
            names.Add(item.Name);
        }

        // Names only are held; each checkpoint is downloaded as it is enumerated, newest first.
        for (var i = names.Count - 1; i >= 0; i--)
        {
            var envelope = await DownloadAsync(names[i], cancellationToken);
            if (envelope is not null)
            {
                yield return Parse(envelope.Content, names[i]);
            }
        }
    }

    /// <inheritdoc />
    public async Task<StateSnapshot> RollbackAsync(string connector, string version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        var folder = Folder(connector);
        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            throw new KeyNotFoundException($"The state history of '{connector}' has no version '{version}'.");
        }

        var name = folder + "history/" + HistoryName(number.ToString(CultureInfo.InvariantCulture));
        var target = await DownloadAsync(name, cancellationToken)
            ?? throw new KeyNotFoundException($"The state history of '{connector}' has no version '{version}'.");
        var current = await ReadAsync(connector, cancellationToken);
        return await WriteAsync(connector, Parse(target.Content, name).State, current.Version, cancellationToken);
    }

    /// <inheritdoc />
    public async Task ResetAsync(string connector, CancellationToken cancellationToken)
    {
        var folder = Folder(connector);
        await _containerReady.EnsureAsync(cancellationToken);
        _known.TryRemove(connector, out _);
        await _container.GetBlobClient(folder + "state.json").DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = folder + "history/" }, cancellationToken))
        {
            await _container.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<IConnectorLease> AcquireLeaseAsync(string connector, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(Folder(connector) + LeaseBlob);
        await _containerReady.EnsureAsync(cancellationToken);
        var leases = blob.GetBlobLeaseClient();
        for (var attempt = 0; ; attempt++)
        {
            // The lease clock starts when the service takes the request: measure from before it is sent.
            var requestedAt = _time.GetTimestamp();
            try
            {
                await leases.AcquireAsync(_options.LeaseDuration, cancellationToken: cancellationToken);
                var epoch = await FenceAsync(connector, blob, leases, cancellationToken);
                var lease = new BlobConnectorLease(connector, leases, _options, requestedAt, epoch, _time, _logger);
                LogLeaseAcquired(_logger, connector, leases.LeaseId, epoch);
                LeaseAcquired?.Invoke(lease);
                return lease;
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && attempt == 0)
            {
                await CreateLeaseBlobAsync(blob, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                LogLeaseRefused(_logger, connector);
                throw new ConnectorBusyException(
                    $"Connector '{connector}' is already running: another run holds its lease. A run that died releases it within {_options.LeaseDuration.TotalSeconds:0} seconds.",
                    ex);
            }
        }
    }

    /// <summary>Whether a run holds the connector's lease now: what a caller checks before queueing a run it would be refused.</summary>
    /// <param name="connector">The connector's registered name.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<bool> IsLeasedAsync(string connector, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await _container.GetBlobClient(Folder(connector) + LeaseBlob).GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.LeaseState is LeaseState.Leased or LeaseState.Breaking;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>
    /// Reserves the connector's next run for <paramref name="syncId"/> in <c>connectors/&lt;name&gt;/queued</c>: one sync per
    /// connector may wait in the run queue, so a second request while one waits is refused just like one that finds a run in
    /// progress. The blob is created with <c>If-None-Match: *</c>, so of two requests at the same moment exactly one wins.
    /// The holder may reserve again (a continuation refreshes it); a reservation older than <paramref name="staleAfter"/>
    /// (its message was lost) is taken over.
    /// </summary>
    /// <returns><see langword="null"/> when reserved; otherwise the sync id that holds the reservation.</returns>
    public async Task<string?> TryReserveRunAsync(string connector, string syncId, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(syncId);
        var blob = _container.GetBlobClient(Folder(connector) + ReservationBlob);
        await _containerReady.EnsureAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var content = BinaryData.FromObjectAsJson(new Reservation(syncId, now), StateJson.Options);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var existing = await DownloadAsync(blob.Name, cancellationToken);
            var conditions = new BlobRequestConditions();
            if (existing is null)
            {
                conditions.IfNoneMatch = ETag.All;
            }
            else
            {
                var held = ParseReservation(existing.Content);
                if (held is not null && held.SyncId != syncId && now - held.ReservedAt < staleAfter)
                {
                    return held.SyncId;
                }

                conditions.IfMatch = existing.Details.ETag;
            }

            try
            {
                await blob.UploadAsync(content, new BlobUploadOptions { Conditions = conditions, HttpHeaders = JsonHeaders }, cancellationToken);
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another request reserved or released it between the read and the write: look again.
            }
        }

        throw new StateConflictException($"The run reservation of '{connector}' kept changing while it was being taken.");
    }

    /// <summary>Releases the reservation <see cref="TryReserveRunAsync"/> made for <paramref name="syncId"/>; another sync's is left alone.</summary>
    public async Task ReleaseRunReservationAsync(string connector, string syncId, CancellationToken cancellationToken)
    {
        var name = Folder(connector) + ReservationBlob;
        var existing = await DownloadAsync(name, cancellationToken);
        if (existing is null || ParseReservation(existing.Content)?.SyncId != syncId)
        {
            return;
        }

        try
        {
            await _container.GetBlobClient(name).DeleteAsync(conditions: new BlobRequestConditions { IfMatch = existing.Details.ETag }, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Already released or taken over.
        }
    }

    /// <inheritdoc />
    /// <remarks>A record of a run that has ended prunes the connector's history and run records (<see cref="RetentionOptions"/>).</remarks>
    public async Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var name = RunBlobName(run);
        await _containerReady.EnsureAsync(cancellationToken);
        await _container.GetBlobClient(name).UploadAsync(
            BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(run, StateJson.Options)),
            new BlobUploadOptions { HttpHeaders = JsonHeaders, Metadata = RunMetadata(run), Tags = RetentionTag(RunTag) },
            cancellationToken);
        if (run.Outcome != RunOutcome.Running)
        {
            await PruneAsync(run.Connector, cancellationToken);
        }
    }

    private static BlobHttpHeaders JsonHeaders => new() { ContentType = "application/json" };

    private async Task<(StateSnapshot Snapshot, ETag? ETag, long Epoch)> ReadCurrentAsync(string connector, CancellationToken cancellationToken)
    {
        var name = Folder(connector) + "state.json";
        var blob = await DownloadAsync(name, cancellationToken);
        if (blob is null)
        {
            _known.TryRemove(connector, out _);
            return (new StateSnapshot([], null, null), null, 0);
        }

        var snapshot = Parse(blob.Content, name);
        var epoch = ReadEpoch(blob.Details.Metadata, name);
        if (snapshot.Version is { } version)
        {
            _known[connector] = (version, blob.Details.ETag, epoch);
        }
        else
        {
            _known.TryRemove(connector, out _);   // a lease's stamp on a connector with no state yet
        }

        return (snapshot, blob.Details.ETag, epoch);
    }

    private async Task<BlobDownloadResult?> DownloadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;   // no such blob, or no container yet: nothing saved
        }
    }

    private static async Task CreateLeaseBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another run created it first (and may hold it: the next acquire says so).
        }
    }

    private static string Folder(string connector)
    {
        ArgumentException.ThrowIfNullOrEmpty(connector);
        if (!Names.IsSnakeCase(connector))
        {
            throw new ArgumentException($"'{connector}' is not a connector name (lower snake case).", nameof(connector));
        }

        return "connectors/" + connector + "/";
    }

    private static Reservation? ParseReservation(BinaryData content)
    {
        try
        {
            return content.ToObjectFromJson<Reservation>(StateJson.Options);
        }
        catch (JsonException)
        {
            return null;   // unreadable: treated as free
        }
    }

    private sealed record Reservation(string SyncId, DateTimeOffset ReservedAt);

    private static string HistoryName(string version) => version.PadLeft(12, '0') + ".json";

    private static long ParseVersion(string version) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidDataException($"State version '{version}' is not a sequence number.");

    private static StateConflictException Conflict(string connector, string? current, string? expected, Exception? inner)
    {
        var message = $"The state of '{connector}' is at version {current ?? "none"}, not {expected ?? "none"}: another writer saved it first.";
        return inner is null ? new StateConflictException(message) : new StateConflictException(message, inner);
    }

    private static byte[] Serialize(StateSnapshot snapshot) => JsonSerializer.SerializeToUtf8Bytes(
        new JsonObject
        {
            ["version"] = snapshot.Version,
            ["savedAt"] = snapshot.SavedAt,
            ["state"] = snapshot.State.DeepClone(),
        },
        StateJson.Options);

    private static StateSnapshot Parse(BinaryData content, string name)
    {
        try
        {
            var envelope = JsonNode.Parse(content.ToMemory().Span)?.AsObject() ?? throw new JsonException("The blob holds null.");
            var state = envelope["state"]?.AsObject() ?? throw new JsonException("It has no \"state\" object.");
            envelope.Remove("state");
            return new StateSnapshot(state, envelope["version"]?.GetValue<string>(), envelope["savedAt"]?.GetValue<DateTimeOffset>());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"State blob '{name}' is not valid state JSON: {ex.Message}", ex);
        }
    }

    [LoggerMessage(2100, LogLevel.Debug, "Lease of {Connector} acquired ({LeaseId}, epoch {Epoch})")]
    private static partial void LogLeaseAcquired(ILogger logger, string connector, string leaseId, long epoch);

    [LoggerMessage(2101, LogLevel.Information, "Lease of {Connector} refused: another run holds it")]
    private static partial void LogLeaseRefused(ILogger logger, string connector);

    [LoggerMessage(2102, LogLevel.Warning, "State write of {Connector} expecting version {ExpectedVersion} refused: another writer saved a newer state")]
    private static partial void LogConflict(ILogger logger, string connector, string expectedVersion);
}

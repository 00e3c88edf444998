using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Tributary.Runtime.State;

namespace Tributary.Azure.State;

// Run records by page, and retention. Run blobs are named `runs/<inverted start ticks>-<run id>.json`, so a
// listing is newest first and says when each run started; the sync id is in each run blob's metadata, so a sync's runs are
// found from the listing. A listing reads names and metadata only; a record is downloaded only when it is returned.
// History and run blobs carry the blob index tag `tributary-retention` (`history` or `run`) that the storage
// account's lifecycle policy deletes by age; when a run ends, this store deletes what RetentionOptions no longer
// keeps, by count and by age.
public sealed partial class BlobStateStore
{
    /// <summary>The blob index tag the lifecycle policy matches.</summary>
    public const string RetentionTagName = "tributary-retention";

    /// <summary>Its value on state history blobs.</summary>
    public const string HistoryTag = "history";

    /// <summary>Its value on run record blobs.</summary>
    public const string RunTag = "run";

    private const string SavedAtKey = "savedat";
    private const string SyncIdKey = "syncid";
    private const int ListPageSize = 1000;

    /// <inheritdoc />
    public async IAsyncEnumerable<RunRecord> ListRunsAsync(string connector, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = Folder(connector) + "runs/";
        await _containerReady.EnsureAsync(cancellationToken);
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
        {
            if (await DownloadRunAsync(item.Name, cancellationToken) is { } run)
            {
                yield return run;
            }
        }
    }

    /// <inheritdoc />
    public async Task<RunPage> ListRunsAsync(string connector, RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var prefix = Folder(connector) + "runs/";
        await _containerReady.EnsureAsync(cancellationToken);
        var runs = new List<RunRecord>();
        string? last = null;
        var listing = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken);
        await foreach (var page in listing.AsPages(pageSizeHint: ListPageSize))
        {
            foreach (var item in page.Values)
            {
                var name = item.Name[prefix.Length..];
                if (query.After is not null && string.CompareOrdinal(name, query.After) <= 0)
                {
                    continue;
                }

                var syncId = item.Metadata is not null && item.Metadata.TryGetValue(SyncIdKey, out var stored) ? stored : null;
                if (query.SyncId is not null && syncId is not null && syncId != query.SyncId)
                {
                    continue;
                }

                if (runs.Count == query.Limit)
                {
                    return new RunPage(runs, last);   // another matching run exists; it is not downloaded
                }

                // A record saved before the sync id was kept in metadata is downloaded to be matched.
                if (await DownloadRunAsync(item.Name, cancellationToken) is { } run && (query.SyncId is null || run.SyncId == query.SyncId))
                {
                    runs.Add(run);
                    last = name;
                }
            }
        }

        return new RunPage(runs, null);
    }

    // Deletes the checkpoints and run records that retention no longer keeps. Housekeeping: a failure is logged, not thrown,
    // and what is left is deleted next time (or by the lifecycle policy).
    private async Task PruneAsync(string connector, CancellationToken cancellationToken)
    {
        var folder = Folder(connector);
        var retention = _options.Retention;
        var now = _time.GetUtcNow();
        var deleted = 0;
        try
        {
            // History names are versions, oldest first: the newest is last.
            var history = new List<BlobItem>();
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = folder + "history/", Traits = BlobTraits.Metadata }, cancellationToken))
            {
                history.Add(item);
            }

            for (var i = 0; i < history.Count; i++)
            {
                var item = history[history.Count - 1 - i];
                if (retention.PrunesCheckpoint(i, SavedAt(item), now))
                {
                    deleted += await DeleteAsync(item.Name, cancellationToken);
                }
            }

            // Run names are inverted start ticks, newest first.
            var index = 0;
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = folder + "runs/" }, cancellationToken))
            {
                if (retention.PrunesRun(index++, RunStart(item.Name[(folder.Length + "runs/".Length)..]) ?? now, now))
                {
                    deleted += await DeleteAsync(item.Name, cancellationToken);
                }
            }
        }
        catch (RequestFailedException ex)
        {
            LogPruneFailed(_logger, connector, ex.Status, ex.ErrorCode ?? "no code");
            return;
        }

        if (deleted > 0)
        {
            LogPruned(_logger, connector, deleted);
        }
    }

    private async Task<int> DeleteAsync(string name, CancellationToken cancellationToken) =>
        (await _container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value ? 1 : 0;

    private async Task<RunRecord?> DownloadRunAsync(string name, CancellationToken cancellationToken)
    {
        var blob = await DownloadAsync(name, cancellationToken);
        if (blob is null)
        {
            return null;   // pruned while listed
        }

        try
        {
            return blob.Content.ToObjectFromJson<RunRecord>(StateJson.Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Run record '{name}' in container '{_container.Name}' is not valid run JSON: {ex.Message}", ex);
        }
    }

    private static string RunBlobName(RunRecord run) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Folder(run.Connector)}runs/{DateTimeOffset.MaxValue.UtcTicks - run.StartedAt.UtcTicks:D19}-{run.Id}.json");

    // The start time written into a run blob's name; null for a name not of this store's making.
    private static DateTimeOffset? RunStart(string name) =>
        name.Length > 19 && long.TryParse(name.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture, out var inverted)
        && inverted <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(DateTimeOffset.MaxValue.UtcTicks - inverted, TimeSpan.Zero)
            : null;

    private static DateTimeOffset? SavedAt(BlobItem item) =>
        item.Metadata is not null && item.Metadata.TryGetValue(SavedAtKey, out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : item.Properties.LastModified;

    private static Dictionary<string, string> HistoryMetadata(StateSnapshot snapshot) =>
        new() { [SavedAtKey] = snapshot.SavedAt!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) };

    // Metadata values are ASCII: a sync id that is not (none the runtime makes) is left out and matched by download instead.
    private static Dictionary<string, string> RunMetadata(RunRecord run) =>
        run.SyncId.All(static c => c is > ' ' and <= '~') ? new() { [SyncIdKey] = run.SyncId } : [];

    private static Dictionary<string, string> RetentionTag(string value) => new() { [RetentionTagName] = value };

    [LoggerMessage(2103, LogLevel.Debug, "Deleted {Count} checkpoints and run records of {Connector} that retention no longer keeps")]
    private static partial void LogPruned(ILogger logger, string connector, int count);

    [LoggerMessage(2104, LogLevel.Warning, "Could not prune the history and run records of {Connector}: storage answered {Status} {ErrorCode}")]
    private static partial void LogPruneFailed(ILogger logger, string connector, int status, string errorCode);
}

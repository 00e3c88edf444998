using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Api;

/// <summary>The connectors' HTTP API: the list, one connector's status, and starting a sync behind the run queue.</summary>
public sealed partial class ConnectorApi(
    ConnectorDirectory connectors,
    BlobStateStore store,
    RunQueue queue,
    QueuedSyncOptions queueOptions,
    TimeProvider time,
    ILogger<ConnectorApi> logger)
{
    /// <summary>The largest sync request body read.</summary>
    public const int MaxSyncBodyBytes = 4 * 1024;

    private const int DefaultRuns = 10;
    private const int MaxRuns = 100;

    /// <summary><c>GET /api/connectors</c>: every connector with its settings and its latest run.</summary>
    public async Task<IActionResult> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<ConnectorSummary>();
        foreach (var name in connectors.Names)
        {
            var settings = connectors.Get(name);
            RunSummary? last = null;
            await foreach (var run in store.ListRunsAsync(name, cancellationToken))
            {
                last = RunSummary.From(run);
                break;
            }

            items.Add(new ConnectorSummary(name, settings.Description, settings.Enabled, settings.Schedule, settings.Destination, last));
        }

        return new OkObjectResult(items);
    }

    /// <summary>
    /// <c>GET /api/connectors/{name}[?runs=N][&amp;sync=ID]</c>: settings, whether a run holds the lease, the saved state's
    /// version, time and size, and the last runs (10 by default, at most 100; only one sync's with <c>sync</c>).
    /// </summary>
    public async Task<IActionResult> StatusAsync(HttpRequest request, string name, CancellationToken cancellationToken)
    {
        if (!connectors.Contains(name))
        {
            return Problems.UnknownConnector(name, connectors.Names);
        }

        var count = DefaultRuns;
        if (request.Query.TryGetValue("runs", out var runsValue)
            && (!int.TryParse(runsValue, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxRuns))
        {
            return Problems.BadRequest($"'runs' is a number of runs from 1 to {MaxRuns}; got '{runsValue}'.");
        }

        string? sync = request.Query.TryGetValue("sync", out var syncValue) ? syncValue.ToString() : null;
        var settings = connectors.Get(name);
        var state = await store.ReadAsync(name, cancellationToken);
        var running = await store.IsLeasedAsync(name, cancellationToken);
        var page = await store.ListRunsAsync(name, new RunQuery(count, sync), cancellationToken);
        var runs = page.Runs.Select(RunSummary.From).ToList();

        var stateInfo = new StateSummary(state.Version, state.SavedAt, state.Version is null ? 0 : Encoding.UTF8.GetByteCount(state.State.ToJsonString()));
        return new OkObjectResult(new ConnectorStatus(
            name, settings.Description, settings.Enabled, settings.Schedule, settings.Destination, running, state.SavedAt, stateInfo, runs));
    }

    /// <summary>
    /// <c>POST /api/connectors/{name}/sync</c>, optional body <c>{"maxDuration":"00:05:00"}</c>: queues a run and answers 202
    /// with the sync's status URL; 409 while a run holds the connector's lease or another sync of it waits in the queue (of
    /// two requests at the same moment exactly one is queued).
    /// </summary>
    public async Task<IActionResult> StartSyncAsync(HttpRequest request, string name, CancellationToken cancellationToken)
    {
        if (!connectors.Contains(name))
        {
            return Problems.UnknownConnector(name, connectors.Names);
        }

        var (maxDuration, problem) = await ReadSyncBodyAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (await store.IsLeasedAsync(name, cancellationToken))
        {
            LogRefused(logger, name);
            return Problems.Create(
                StatusCodes.Status409Conflict,
                "Connector is running",
                $"Connector '{name}' is running now; a second run is never started beside it. Ask again when it has ended (see GET /api/connectors/{name}).");
        }

        var syncId = SyncIds.New(time);
        if (await store.TryReserveRunAsync(name, syncId, queueOptions.ReservationStaleAfter, cancellationToken) is { } queued)
        {
            LogRefused(logger, name);
            return Problems.Create(
                StatusCodes.Status409Conflict,
                "Sync already queued",
                $"Sync {queued} of connector '{name}' is queued and has not ended; a second one is not queued beside it. See {SyncIds.StatusUrl(request, name, queued)}.");
        }

        try
        {
            await queue.EnqueueAsync(new RunMessage(name, "http", syncId) { RequestedAt = time.GetUtcNow(), MaxDuration = maxDuration }, cancellationToken);
        }
        catch
        {
            await store.ReleaseRunReservationAsync(name, syncId, CancellationToken.None);
            throw;
        }

        LogQueued(logger, name, syncId);
        var status = SyncIds.StatusUrl(request, name, syncId);
        return new AcceptedResult(status, new SyncAccepted(name, syncId, status));
    }

    private static async Task<(TimeSpan? MaxDuration, IActionResult? Problem)> ReadSyncBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxSyncBodyBytes)
        {
            return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A sync request body is at most {MaxSyncBodyBytes} bytes."));
        }

        var body = await BodyReader.ReadAsync(request, MaxSyncBodyBytes, cancellationToken);
        if (body is null)
        {
            return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A sync request body is at most {MaxSyncBodyBytes} bytes."));
        }

        if (body.Length == 0 || body.All(static b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return (null, null);
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("The body is not a JSON object.");
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest($"The body must be empty or a JSON object such as {{\"maxDuration\":\"00:05:00\"}}: {ex.Message}"));
        }

        foreach (var (key, _) in json)
        {
            if (key != "maxDuration")
            {
                return (null, Problems.BadRequest($"Unknown property '{key}'; the only one is 'maxDuration'."));
            }
        }

        if (json["maxDuration"] is null)
        {
            return (null, null);
        }

        return json["maxDuration"] is JsonValue value && value.TryGetValue<string>(out var text)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var duration) && duration > TimeSpan.Zero
            ? (duration, null)
            : (null, Problems.BadRequest("'maxDuration' is a positive time span such as \"00:05:00\"."));
    }

    [LoggerMessage(3000, LogLevel.Information, "Sync {SyncId} of {Connector} queued over HTTP")]
    private static partial void LogQueued(ILogger logger, string connector, string syncId);

    [LoggerMessage(3001, LogLevel.Information, "Sync of {Connector} refused over HTTP: a run holds its lease or a sync is queued")]
    private static partial void LogRefused(ILogger logger, string connector);
}

/// <summary>Reads a request body up to a limit.</summary>
internal static class BodyReader
{
    /// <summary>The body, or <see langword="null"/> when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

/// <summary>One line of the connector list.</summary>
public sealed record ConnectorSummary(string Name, string? Description, bool Enabled, string? Schedule, string Destination, RunSummary? LastRun);

/// <summary>A connector's status.</summary>
public sealed record ConnectorStatus(
    string Name,
    string? Description,
    bool Enabled,
    string? Schedule,
    string Destination,
    bool Running,
    DateTimeOffset? CheckpointAt,
    StateSummary State,
    IReadOnlyList<RunSummary> Runs);

/// <summary>The saved state, without its content.</summary>
public sealed record StateSummary(string? Version, DateTimeOffset? SavedAt, long Bytes);

/// <summary>The answer to a queued sync.</summary>
public sealed record SyncAccepted(string Connector, string SyncId, string Status);

/// <summary>A run as the status shows it.</summary>
public sealed record RunSummary(
    string Id,
    string SyncId,
    string Trigger,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    RunOutcome Outcome,
    int Checkpoints,
    int SchemaChanges,
    long Upserts,
    long Updates,
    long Deletes,
    long Truncates,
    IReadOnlyDictionary<string, TableCounts> Tables,
    string? Error)
{
    /// <summary>The summary of a run record.</summary>
    public static RunSummary From(RunRecord run) => new(
        run.Id,
        run.SyncId,
        run.Trigger,
        run.StartedAt,
        run.EndedAt,
        run.Outcome,
        run.Checkpoints,
        run.SchemaChanges,
        run.Total(static t => t.Upserts),
        run.Total(static t => t.Updates),
        run.Total(static t => t.Deletes),
        run.Total(static t => t.Truncates),
        run.Tables,
        run.Error);
}

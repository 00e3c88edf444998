using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Tributary.Azure.Queue;
using Tributary.Azure.Scheduling;
using Tributary.Azure.State;
using Tributary.FunctionsHost.Hosting;
using Tributary.FunctionsHost.Scheduling;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Api;

/// <summary>The connections' HTTP API: the list, one connection's status, starting a sync behind the run queue, and the connector types.</summary>
public sealed partial class ConnectionApi(
    ConnectionDirectory connections,
    BlobStateStore store,
    BlobScheduleMarkers markers,
    RunQueue queue,
    QueuedSyncOptions queueOptions,
    TimeProvider time,
    ILogger<ConnectionApi> logger)
{
    /// <summary>The largest sync request body read.</summary>
    public const int MaxSyncBodyBytes = 4 * 1024;

    private const int DefaultRuns = 10;
    private const int MaxRuns = 100;

    /// <summary><c>GET /api/connections</c>: every connection with its settings (no configuration values) and its latest run.</summary>
    public async Task<IActionResult> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var items = new List<ConnectionSummary>();
        foreach (var connection in connections.All)
        {
            RunSummary? last = null;
            await foreach (var run in store.ListRunsAsync(connection.Id, cancellationToken))
            {
                last = RunSummary.From(run);
                break;
            }

            items.Add(new ConnectionSummary(
                connection.Id, connection.Connector, connection.Enabled, connection.Schedule, connection.ScheduleError,
                ConnectionScheduler.NextDue(connection, now), connection.Destination, connection.Schema, last));
        }

        return new OkObjectResult(items);
    }

    /// <summary><c>GET /api/connectors</c>: every connector type this host has, with its description and its connections.</summary>
    public IActionResult ListConnectors() => new OkObjectResult(connections.Catalog.Names
        .Select(name => new ConnectorSummary(
            name,
            connections.Catalog.Describe(name),
            [.. connections.All.Where(connection => connection.Connector == name).Select(static connection => connection.Id)]))
        .ToList());

    /// <summary>
    /// <c>GET /api/connections/{id}[?runs=N][&amp;sync=ID]</c>: settings, the schedule (its error, the next due time, the last
    /// one claimed), whether a run holds the lease, the saved state's version, time and size, and the last runs (10 by default,
    /// at most 100; only one sync's with <c>sync</c>).
    /// </summary>
    public async Task<IActionResult> StatusAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (!connections.Contains(id))
        {
            return Problems.UnknownConnection(id, connections.Ids);
        }

        var count = DefaultRuns;
        if (request.Query.TryGetValue("runs", out var runsValue)
            && (!int.TryParse(runsValue, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxRuns))
        {
            return Problems.BadRequest($"'runs' is a number of runs from 1 to {MaxRuns}; got '{runsValue}'.");
        }

        string? sync = request.Query.TryGetValue("sync", out var syncValue) ? syncValue.ToString() : null;
        var settings = connections.Get(id);
        var state = await store.ReadAsync(id, cancellationToken);
        var running = await store.IsLeasedAsync(id, cancellationToken);
        var mark = await markers.ReadAsync(id, cancellationToken);
        var page = await store.ListRunsAsync(id, new RunQuery(count, sync), cancellationToken);
        var runs = page.Runs.Select(RunSummary.From).ToList();

        var stateInfo = new StateSummary(state.Version, state.SavedAt, state.Version is null ? 0 : Encoding.UTF8.GetByteCount(state.State.ToJsonString()));
        var schedule = new ScheduleSummary(
            settings.Schedule, settings.ScheduleError, ConnectionScheduler.NextDue(settings, time.GetUtcNow()), mark?.DueAt, mark?.SyncId);
        return new OkObjectResult(new ConnectionStatus(
            id, settings.Connector, settings.Description, settings.Enabled, schedule, settings.Destination, settings.Schema,
            running, state.SavedAt, stateInfo, runs));
    }

    /// <summary>
    /// <c>POST /api/connections/{id}/sync</c>, optional body <c>{"maxDuration":"00:05:00"}</c>: queues a run and answers 202
    /// with the sync's status URL; 409 while a run holds the connection's lease or another sync of it waits in the queue (of
    /// two requests at the same moment exactly one is queued). A disabled connection can be synced this way.
    /// </summary>
    public async Task<IActionResult> StartSyncAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (!connections.Contains(id))
        {
            return Problems.UnknownConnection(id, connections.Ids);
        }

        var name = id;

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
                "Connection is running",
                $"Connection '{name}' is running now; a second run is never started beside it. Ask again when it has ended (see GET /api/connections/{name}).");
        }

        var syncId = SyncIds.New(time);
        if (await store.TryReserveRunAsync(name, syncId, queueOptions.ReservationStaleAfter, cancellationToken) is { } queued)
        {
            LogRefused(logger, name);
            return Problems.Create(
                StatusCodes.Status409Conflict,
                "Sync already queued",
                $"Sync {queued} of connection '{name}' is queued and has not ended; a second one is not queued beside it. See {SyncIds.StatusUrl(request, name, queued)}.");
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

    [LoggerMessage(3000, LogLevel.Information, "Sync {SyncId} of {Connection} queued over HTTP")]
    private static partial void LogQueued(ILogger logger, string connection, string syncId);

    [LoggerMessage(3001, LogLevel.Information, "Sync of {Connection} refused over HTTP: a run holds its lease or a sync is queued")]
    private static partial void LogRefused(ILogger logger, string connection);
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

/// <summary>One line of the connection list.</summary>
public sealed record ConnectionSummary(
    string Id,
    string Connector,
    bool Enabled,
    string? Schedule,
    string? ScheduleError,
    DateTimeOffset? NextRunAt,
    string Destination,
    string Schema,
    RunSummary? LastRun);

/// <summary>A connector type and the connections of it.</summary>
public sealed record ConnectorSummary(string Name, string? Description, IReadOnlyList<string> Connections);

/// <summary>A connection's schedule: as written, why it cannot be scheduled, the next due time and the last one claimed.</summary>
public sealed record ScheduleSummary(string? Expression, string? Error, DateTimeOffset? NextRunAt, DateTimeOffset? LastDueAt, string? LastSyncId);

/// <summary>A connection's status.</summary>
public sealed record ConnectionStatus(
    string Id,
    string Connector,
    string? Description,
    bool Enabled,
    ScheduleSummary Schedule,
    string Destination,
    string Schema,
    bool Running,
    DateTimeOffset? CheckpointAt,
    StateSummary State,
    IReadOnlyList<RunSummary> Runs);

/// <summary>The saved state, without its content.</summary>
public sealed record StateSummary(string? Version, DateTimeOffset? SavedAt, long Bytes);

/// <summary>The answer to a queued sync.</summary>
public sealed record SyncAccepted(string Connection, string SyncId, string Status);

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
    string? Error,
    RunErrorKind? ErrorKind)
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
        run.Error,
        run.ErrorKind);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tributary.Azure.Queue;
using Tributary.Azure.Scheduling;
using Tributary.Azure.State;
using Tributary.FunctionsHost.Api;
using Tributary.FunctionsHost.Hosting;

namespace Tributary.FunctionsHost.Scheduling;

/// <summary>
/// What the one scheduler timer does each minute: for every enabled connection with a schedule, find the latest due time at or
/// before now and, when it is later than the due time last claimed, claim it (a conditional write of the connection's
/// <see cref="BlobScheduleMarkers">marker</see>) and queue one run for it. However many instances tick, and however often a tick
/// repeats, one claim per connection and due time succeeds, so one run is queued. After a gap (the app was stopped, a tick was
/// missed) the missed due times collapse into one run for the latest. A connection the scheduler has not seen before is
/// scheduled from the tick before: its first run is at its first due time, not at once (sync it on demand for that). A due time
/// that finds the connection running, or a sync of it queued, is left unclaimed: the first tick after that run queues one run
/// for it (a sync that overruns its interval is followed by one more, not skipped). A malformed schedule only stops its own
/// connection, with its error in the connection's status and the log.
/// </summary>
public sealed partial class ConnectionScheduler(
    ConnectionDirectory connections,
    BlobScheduleMarkers markers,
    BlobStateStore store,
    RunQueue queue,
    QueuedSyncOptions queueOptions,
    TimeProvider time,
    ILogger<ConnectionScheduler> logger)
{
    /// <summary>The scheduler timer's NCRONTAB schedule: every minute, on the minute.</summary>
    public const string TimerSchedule = "0 * * * * *";

    /// <summary>The trigger recorded on the runs it queues.</summary>
    public const string Trigger = "timer";

    /// <summary>How often the timer ticks; a connection seen for the first time is scheduled from one interval ago.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMinutes(1);

    private const int MaxParallelConnections = 8;
    private const int MissedCountLimit = 1000;

    // The due time last known claimed per connection: marks only move forward, so a due time at or before it needs no read.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _claimed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _reportedErrors = new(StringComparer.Ordinal);

    /// <summary>Queues the runs due now; returns the messages queued. A connection that fails is logged and skipped.</summary>
    public async Task<IReadOnlyList<RunMessage>> TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var queued = new ConcurrentBag<RunMessage>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelConnections, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(connections.All, options, async (connection, token) =>
        {
            try
            {
                if (await ScheduleAsync(connection, now, token) is { } message)
                {
                    queued.Add(message);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogFailed(logger, ex, connection.Id);
            }
        });
        return [.. queued.OrderBy(static message => message.Connection, StringComparer.Ordinal)];
    }

    /// <summary>The next due time of <paramref name="connection"/> after <paramref name="after"/>; <see langword="null"/> when it
    /// has no schedule, a malformed one, or is disabled.</summary>
    public static DateTimeOffset? NextDue(ConnectionSettings connection, DateTimeOffset after) =>
        connection.Enabled && connection.ParsedSchedule is { } schedule ? schedule.Next(after) : null;

    private async Task<RunMessage?> ScheduleAsync(ConnectionSettings connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!connection.Enabled || connection.Schedule is null)
        {
            return null;
        }

        if (connection.ParsedSchedule is not { } schedule)
        {
            if (_reportedErrors.TryAdd(connection.Id, connection.ScheduleError!))
            {
                LogScheduleInvalid(logger, connection.Id, connection.ScheduleError!);
            }

            return null;
        }

        if (schedule.LatestAtOrBefore(now) is not { } due || (_claimed.TryGetValue(connection.Id, out var known) && due <= known))
        {
            return null;
        }

        var mark = await markers.ReadAsync(connection.Id, cancellationToken);
        var firstSeen = mark is null;
        if (mark is null)
        {
            // First seen: scheduled from one tick ago, so a due time within the last tick runs and older ones do not.
            mark = await markers.TryClaimAsync(connection.Id, now - TickInterval, null, null, now, cancellationToken)
                ?? await markers.ReadAsync(connection.Id, cancellationToken);   // another instance wrote it first
            if (mark is null)
            {
                return null;
            }
        }

        if (due <= mark.DueAt)
        {
            Remember(connection.Id, mark.DueAt);
            return null;
        }

        // Running, or a sync of it queued: the due time stays unclaimed, so the first tick after that run queues it.
        if (await store.IsLeasedAsync(connection.Id, cancellationToken))
        {
            LogStillRunning(logger, connection.Id, due);
            return null;
        }

        var message = new RunMessage(connection.Id, Trigger, SyncIds.New(time)) { RequestedAt = due };
        if (await store.TryReserveRunAsync(connection.Id, message.SyncId, queueOptions.ReservationStaleAfter, cancellationToken) is { } waiting)
        {
            LogAlreadyQueued(logger, connection.Id, due, waiting);
            return null;
        }

        var claimed = await markers.TryClaimAsync(connection.Id, due, message.SyncId, mark, now, cancellationToken);
        if (claimed is null)
        {
            await store.ReleaseRunReservationAsync(connection.Id, message.SyncId, CancellationToken.None);
            LogClaimedElsewhere(logger, connection.Id, due);
            return null;
        }

        Remember(connection.Id, due);
        try
        {
            await queue.EnqueueAsync(message, cancellationToken);
        }
        catch
        {
            // Give the due time back, so the next tick queues it again.
            await store.ReleaseRunReservationAsync(connection.Id, message.SyncId, CancellationToken.None);
            await markers.RevertAsync(connection.Id, claimed, mark, CancellationToken.None);
            _claimed.TryRemove(connection.Id, out _);
            throw;
        }

        var missed = firstSeen ? 0 : schedule.CountBetween(mark.DueAt, due, MissedCountLimit);
        if (missed > 0)
        {
            LogCaughtUp(logger, connection.Id, missed, due);
        }

        LogQueued(logger, connection.Id, message.SyncId, due, now - due);
        return message;
    }

    private void Remember(string connection, DateTimeOffset due) =>
        _claimed.AddOrUpdate(connection, due, (_, known) => known > due ? known : due);

    [LoggerMessage(3200, LogLevel.Error, "Connection {Connection} is not scheduled: {Error}")]
    private static partial void LogScheduleInvalid(ILogger logger, string connection, string error);

    [LoggerMessage(3201, LogLevel.Debug, "Due time {DueAt} of {Connection} waits: sync {SyncId} of it is queued or continuing")]
    private static partial void LogAlreadyQueued(ILogger logger, string connection, DateTimeOffset dueAt, string syncId);

    [LoggerMessage(3202, LogLevel.Information, "Timer sync {SyncId} of {Connection} queued for due time {DueAt} ({Late} after it)")]
    private static partial void LogQueued(ILogger logger, string connection, string syncId, DateTimeOffset dueAt, TimeSpan late);

    [LoggerMessage(3203, LogLevel.Information, "Due time {DueAt} of {Connection} was claimed by another scheduler instance")]
    private static partial void LogClaimedElsewhere(ILogger logger, string connection, DateTimeOffset dueAt);

    [LoggerMessage(3204, LogLevel.Warning, "Connection {Connection} missed {Missed} due times (at most 1000 counted); one run is queued for the latest, {DueAt}")]
    private static partial void LogCaughtUp(ILogger logger, string connection, int missed, DateTimeOffset dueAt);

    [LoggerMessage(3205, LogLevel.Debug, "Due time {DueAt} of {Connection} waits: a run holds its lease")]
    private static partial void LogStillRunning(ILogger logger, string connection, DateTimeOffset dueAt);

    [LoggerMessage(3206, LogLevel.Error, "Scheduling connection {Connection} failed; the next tick tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception, string connection);
}

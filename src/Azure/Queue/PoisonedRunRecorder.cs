using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;

namespace Tributary.Azure.Queue;

/// <summary>
/// Leaves a failed run record for a run message that failed every attempt and was moved to the poison queue, whatever
/// killed it (an exception, a timeout, a recycled instance): the sync's records still marked running become failed, or a
/// new failed record says what happened. The message itself stays in the poison queue to be inspected or replayed.
/// </summary>
public sealed partial class PoisonedRunRecorder
{
    private const int SyncPage = 50;   // a sync has one record per continuation

    private readonly IStateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the recorder.</summary>
    /// <param name="store">Where run records live.</param>
    /// <param name="timeProvider">The clock of the record; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives one error line per poisoned message; none when omitted.</param>
    public PoisonedRunRecorder(IStateStore store, TimeProvider? timeProvider = null, ILogger<PoisonedRunRecorder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Records the failure of a poisoned run message; returns the failed record, or <see langword="null"/> when the
    /// message is unreadable or names no valid connector (it is logged).</summary>
    /// <param name="body">The poisoned message's body.</param>
    /// <param name="poisonQueue">The poison queue's name, quoted in the record.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    public async Task<RunRecord?> RecordAsync(BinaryData body, string poisonQueue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        RunMessage message;
        try
        {
            message = RunMessage.Parse(body);
        }
        catch (FormatException ex)
        {
            LogUnreadable(_logger, poisonQueue, ex.Message);
            return null;
        }

        if (!Names.IsSnakeCase(message.Connection))
        {
            LogUnreadable(_logger, poisonQueue, $"'{message.Connection}' is not a connection id");
            return null;
        }

        var now = _time.GetUtcNow();
        var error = $"The {message.Trigger} run of sync {message.SyncId} failed every attempt and its message was moved to {poisonQueue}; each attempt's error is in the host's log.";
        LogPoisoned(_logger, message.Connection, message.SyncId, poisonQueue);
        RunRecord? failed = null;
        string? after = null;
        do
        {
            // Only this sync's records are read: a page of them at a time, found by what is stored beside each.
            var page = await _store.ListRunsAsync(message.Connection, new RunQuery(SyncPage, message.SyncId, after), cancellationToken);
            foreach (var run in page.Runs.Where(static run => run.Outcome == RunOutcome.Running))
            {
                run.Outcome = RunOutcome.Failed;
                run.EndedAt = now;
                run.Error = error;
                run.ErrorKind = RunErrorKind.Fatal;
                await _store.SaveRunAsync(run, cancellationToken);
                failed ??= run;
            }

            after = page.Next;
        }
        while (after is not null);

        if (failed is null)
        {
            failed = message.FailedRun(now, error, RunErrorKind.Fatal);
            await _store.SaveRunAsync(failed, cancellationToken);
        }

        if (_store is State.BlobStateStore reservations)
        {
            await reservations.ReleaseRunReservationAsync(message.Connection, message.SyncId, cancellationToken);
        }

        return failed;
    }

    [LoggerMessage(2310, LogLevel.Error, "Run message of {Connector} (sync {SyncId}) failed every attempt and was moved to {PoisonQueue}; recorded as failed")]
    private static partial void LogPoisoned(ILogger logger, string connector, string syncId, string poisonQueue);

    [LoggerMessage(2311, LogLevel.Error, "Unreadable message in {PoisonQueue}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string poisonQueue, string reason);
}

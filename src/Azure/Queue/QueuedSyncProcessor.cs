using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Azure.State;
using Tributary.Runtime.State;

namespace Tributary.Azure.Queue;

/// <summary>
/// Runs what a run message asks for, within the time budget, and queues the continuation of a paused run (or of one stopped
/// at its hard deadline, as the CLI does) at once with the same sync id. The sync keeps the connector's run reservation
/// until it ends. The queue-triggered function is a call to <see cref="ProcessAsync"/>.
/// </summary>
public sealed partial class QueuedSyncProcessor
{
    /// <summary>The trigger recorded on a continuation's run.</summary>
    public const string ContinuationTrigger = "continuation";

    private readonly IConnectorRunFactory _runs;
    private readonly RunQueue _queue;
    private readonly QueuedSyncOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BlobStateStore? _reservations;

    /// <summary>Creates the processor.</summary>
    /// <param name="runs">Prepares each run.</param>
    /// <param name="queue">Where continuations go.</param>
    /// <param name="options">Budget and limits; validated here.</param>
    /// <param name="timeProvider">The clock of continuation requests; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives one line per run; none when omitted.</param>
    /// <param name="reservations">The store whose run reservations a sync holds until it ends; none when omitted.</param>
    public QueuedSyncProcessor(
        IConnectorRunFactory runs,
        RunQueue queue,
        QueuedSyncOptions options,
        TimeProvider? timeProvider = null,
        ILogger<QueuedSyncProcessor>? logger = null,
        BlobStateStore? reservations = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _runs = runs;
        _queue = queue;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _reservations = reservations;
    }

    /// <summary>
    /// Runs the message's connector and returns the run record; <see langword="null"/> when another run holds the connector's
    /// lease (the request is dropped: that run carries the same state forward). A failed sync is reported in the record, not
    /// thrown; what is thrown (unknown connector, unusable destination, storage down) fails the message so the queue retries
    /// it and, at last, moves it to the poison queue.
    /// </summary>
    /// <param name="message">The run request.</param>
    /// <param name="cancellationToken">Cancelled when the host shuts down.</param>
    public async Task<RunRecord?> ProcessAsync(RunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            return await RunAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAttemptFailed(_logger, message.Connection, message.SyncId, ex.GetType().Name, ex.Message);
            throw;
        }
    }

    private async Task<RunRecord?> RunAsync(RunMessage message, CancellationToken cancellationToken)
    {
        await using var run = await _runs.CreateAsync(message.Connection, cancellationToken);
        var budget = message.MaxDuration is { } max && max < _options.TimeBudget ? max : _options.TimeBudget;
        var request = run.Request with
        {
            Trigger = message.Trigger,
            SyncId = message.SyncId,
            TimeBudget = budget,

            // Never later than the host's own deadline (the function is killed after it); a shorter budget stops earlier.
            HardDeadline = _options.HardDeadline is { } limit ? TimeSpan.FromTicks(Math.Min(limit.Ticks, budget.Ticks * 2)) : null,
        };

        RunRecord record;
        try
        {
            record = await run.Runner.RunAsync(request, cancellationToken);
        }
        catch (ConnectorBusyException)
        {
            LogBusy(_logger, message.Connection, message.Trigger, message.SyncId);
            await ReleaseAsync(message, cancellationToken);
            return null;
        }

        LogRun(_logger, record.Connector, record.Id, record.SyncId, record.Outcome, record.Total(static t => t.Upserts), record.Checkpoints);
        if (record.Outcome is RunOutcome.Paused or RunOutcome.TimedOut)
        {
            if (message.Continuation >= _options.MaxContinuations)
            {
                LogTooManyContinuations(_logger, record.Connector, record.SyncId, message.Continuation);
            }
            else
            {
                if (_reservations is not null)
                {
                    await _reservations.TryReserveRunAsync(message.Connection, message.SyncId, _options.ReservationStaleAfter, cancellationToken);
                }

                await _queue.EnqueueAsync(
                    message with { Trigger = ContinuationTrigger, Continuation = message.Continuation + 1, RequestedAt = _time.GetUtcNow() },
                    cancellationToken);
                return record;
            }
        }

        await ReleaseAsync(message, cancellationToken);
        return record;
    }

    private Task ReleaseAsync(RunMessage message, CancellationToken cancellationToken) =>
        _reservations?.ReleaseRunReservationAsync(message.Connection, message.SyncId, cancellationToken) ?? Task.CompletedTask;

    [LoggerMessage(2300, LogLevel.Warning, "Run of {Connector} ({Trigger}, sync {SyncId}) refused: another run holds its lease and carries the sync on")]
    private static partial void LogBusy(ILogger logger, string connector, string trigger, string syncId);

    [LoggerMessage(2301, LogLevel.Information, "Run {RunId} of {Connector} (sync {SyncId}) ended {Outcome}: {Upserts} upserts, {Checkpoints} checkpoints")]
    private static partial void LogRun(ILogger logger, string connector, string runId, string syncId, RunOutcome outcome, long upserts, int checkpoints);

    [LoggerMessage(2303, LogLevel.Error, "Run of {Connector} (sync {SyncId}) could not be carried out, the queue will retry it: {ErrorType}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string connector, string syncId, string errorType, string error);

    [LoggerMessage(2302, LogLevel.Error, "Sync {SyncId} of {Connector} paused after {Continuations} continuations; not continued again. Trigger it once more or raise the budget")]
    private static partial void LogTooManyContinuations(ILogger logger, string connector, string syncId, int continuations);
}

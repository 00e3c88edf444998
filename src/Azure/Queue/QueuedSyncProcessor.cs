using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Tributary.Azure.State;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Azure.Queue;

/// <summary>
/// Runs what a run message asks for, within the time budget, and queues the continuation of a paused run (or of one stopped
/// at its hard deadline, as the CLI does) with the same sync id. With a store (the Functions host always has one):
/// <list type="bullet">
/// <item>A message is one continuation of one sync, and runs at most once to its end: under the connector's lease it claims
/// its continuation (<see cref="SyncClaims"/>), so a duplicated or redelivered message is dropped, and a continuation a dead
/// run left claimed is taken over.</item>
/// <item>A message that finds the lease held goes back on the queue, invisible for <see cref="QueuedSyncOptions.BusyRetryDelay"/>;
/// it is never dropped.</item>
/// <item>A configuration error fails the run once, with a failed run record, and the message is not retried. A transient
/// error is retried with exponential backoff by a Polly pipeline, each attempt from the last checkpoint; anything else fails
/// the run. The run record's <see cref="RunRecord.ErrorKind"/> says which.</item>
/// </list>
/// The sync keeps the connector's run reservation until it ends. The queue-triggered function is a call to <see cref="ProcessAsync"/>.
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
    private readonly BlobStateStore? _store;
    private readonly SyncClaims? _claims;
    private readonly ResiliencePipeline<Attempt> _pipeline;

    /// <summary>Creates the processor.</summary>
    /// <param name="runs">Prepares each run.</param>
    /// <param name="queue">Where continuations go.</param>
    /// <param name="options">Budget and limits; validated here.</param>
    /// <param name="timeProvider">The clock of continuation requests and retry delays; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Receives one line per run; none when omitted.</param>
    /// <param name="reservations">The store whose leases, sync claims, run records and run reservations the processor uses;
    /// without it, runs are neither de-duplicated nor failed for configuration errors here.</param>
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
        _store = reservations;
        _claims = reservations is null ? null : new SyncClaims(reservations.Container);
        _pipeline = BuildPipeline();
    }

    /// <summary>
    /// Runs the message's continuation of its sync and returns the run record; <see langword="null"/> when nothing ran: the
    /// message was a duplicate, or the connector was busy and the message went back on the queue. A failed sync is reported
    /// in the record, not thrown; what is thrown (a malformed store, storage down after the retries) fails the message so the
    /// queue retries it and, at last, moves it to the poison queue.
    /// </summary>
    /// <param name="message">The run request.</param>
    /// <param name="cancellationToken">Cancelled when the host shuts down.</param>
    public async Task<RunRecord?> ProcessAsync(RunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            var last = await _pipeline.ExecuteAsync(
                static (state, token) => new ValueTask<Attempt>(state.Self.AttemptAsync(state.Message, token)),
                (Self: this, Message: message),
                cancellationToken);
            if (last.Claim is { } open && await _claims!.CompleteAsync(open, continues: false, cancellationToken) is not null)
            {
                // The run failed transiently on its last attempt: the sync ends here, and the next trigger starts from its checkpoint.
                await ReleaseAsync(message, cancellationToken);
            }

            return last.Record;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAttemptFailed(_logger, message.Connection, message.SyncId, ex.GetType().Name, ex.Message);
            throw;
        }
    }

    // One attempt: prepare, take the lease, claim the continuation, run, and end the claim unless the run failed transiently
    // (the pipeline then tries again, and the next attempt takes the claim over).
    private async Task<Attempt> AttemptAsync(RunMessage message, CancellationToken cancellationToken)
    {
        if (_claims is not null && await _claims.FindDoneAsync(message.Connection, message.SyncId, message.Continuation, cancellationToken) is { } done)
        {
            await DropDuplicateAsync(message, done, cancellationToken);
            return default;
        }

        ConnectorRun run;
        try
        {
            run = await _runs.CreateAsync(message.Connection, cancellationToken);
        }
        catch (Exception ex) when (_store is not null && ex is ConfigurationException or KeyNotFoundException)
        {
            return new Attempt(await FailConfigurationAsync(message, ex, cancellationToken), null);
        }

        await using (run)
        {
            IConnectorLease? lease = null;
            SyncClaims.Claim? claim = null;
            try
            {
                if (_store is not null)
                {
                    lease = await _store.AcquireLeaseAsync(message.Connection, cancellationToken);
                    var (claimed, duplicate) = await _claims!.TryClaimAsync(message.Connection, message.SyncId, message.Continuation, lease.Epoch, cancellationToken);
                    if (duplicate is not null)
                    {
                        await lease.DisposeAsync();
                        lease = null;
                        await DropDuplicateAsync(message, duplicate, cancellationToken);
                        return default;
                    }

                    claim = claimed;
                }

                var record = await run.Runner.RunAsync(Request(run, message, lease), cancellationToken);
                LogRun(_logger, record.Connector, record.Id, record.SyncId, record.Outcome, record.ErrorKind?.ToString() ?? "-", record.Total(static t => t.Upserts), record.Checkpoints);
                if (record.ErrorKind == RunErrorKind.Transient)
                {
                    return new Attempt(record, claim);
                }

                var continues = record.Outcome is RunOutcome.Paused or RunOutcome.TimedOut;
                if (continues && message.Continuation >= _options.MaxContinuations)
                {
                    LogTooManyContinuations(_logger, record.Connector, record.SyncId, message.Continuation);
                    continues = false;
                }

                SyncClaims.Claim? completed = null;
                if (claim is not null && (completed = await _claims!.CompleteAsync(claim, continues, cancellationToken)) is null)
                {
                    // Another run took the continuation over after this one lost its lease: it carries the sync on.
                    LogSuperseded(_logger, message.Connection, message.SyncId, message.Continuation);
                    return new Attempt(record, null);
                }

                if (lease is not null)
                {
                    await lease.DisposeAsync();   // before the continuation is queued, so it does not find the lease held
                    lease = null;
                }

                await EndAsync(message, completed, continues, cancellationToken);
                return new Attempt(record, null);
            }
            catch (ConnectorBusyException) when (lease is null)
            {
                LogBusy(_logger, message.Connection, message.Trigger, message.SyncId, _options.BusyRetryDelay);
                await _queue.EnqueueAsync(message, _options.BusyRetryDelay, cancellationToken);
                return default;
            }
            finally
            {
                if (lease is not null)
                {
                    await lease.DisposeAsync();
                }
            }
        }
    }

    private Runtime.SyncRequest Request(ConnectorRun run, RunMessage message, IConnectorLease? lease)
    {
        var budget = message.MaxDuration is { } max && max < _options.TimeBudget ? max : _options.TimeBudget;
        return run.Request with
        {
            Trigger = message.Trigger,
            SyncId = message.SyncId,
            TimeBudget = budget,

            // Never later than the host's own deadline (the function is killed after it); a shorter budget stops earlier.
            HardDeadline = _options.HardDeadline is { } limit ? TimeSpan.FromTicks(Math.Min(limit.Ticks, budget.Ticks * 2)) : null,
            Lease = lease,
        };
    }

    // The run of this continuation is over and its claim completed: queue the next continuation, or end the sync and give up
    // its reservation.
    private async Task EndAsync(RunMessage message, SyncClaims.Claim? completed, bool continues, CancellationToken cancellationToken)
    {
        if (!continues)
        {
            await ReleaseAsync(message, cancellationToken);
            return;
        }

        if (_store is not null)
        {
            await _store.TryReserveRunAsync(message.Connection, message.SyncId, _options.ReservationStaleAfter, cancellationToken);
        }

        await QueueNextAsync(message, cancellationToken);
        if (completed is not null)
        {
            await _claims!.MarkQueuedAsync(
                message.Connection, message.SyncId, new SyncClaims.Progress(completed.Continuation, true, true, false, completed.Epoch) { ETag = completed.ETag }, cancellationToken);
        }
    }

    private Task QueueNextAsync(RunMessage message, CancellationToken cancellationToken) => _queue.EnqueueAsync(
        message with { Trigger = ContinuationTrigger, Continuation = message.Continuation + 1, RequestedAt = _time.GetUtcNow() },
        cancellationToken);

    // A duplicate changes nothing, except when its continuation completed but its next one was never noted as queued: the
    // message may be the redelivery of one whose run completed and died before it queued the next, so the next is queued (a
    // second copy of it would itself be dropped as a duplicate).
    private async Task DropDuplicateAsync(RunMessage message, SyncClaims.Progress progress, CancellationToken cancellationToken)
    {
        LogDuplicate(_logger, message.Connection, message.SyncId, message.Continuation, progress.Continuation, progress.Completed);
        if (progress.Continuation == message.Continuation && progress is { Completed: true, Continues: true, Queued: false })
        {
            await QueueNextAsync(message, cancellationToken);
            await _claims!.MarkQueuedAsync(message.Connection, message.SyncId, progress, cancellationToken);
        }
    }

    private async Task<RunRecord> FailConfigurationAsync(RunMessage message, Exception error, CancellationToken cancellationToken)
    {
        var record = message.FailedRun(_time.GetUtcNow(), error.Message, RunErrorKind.Configuration);
        LogConfigurationError(_logger, message.Connection, message.SyncId, error.Message);
        await _store!.SaveRunAsync(record, cancellationToken);
        await ReleaseAsync(message, cancellationToken);
        return record;
    }

    private Task ReleaseAsync(RunMessage message, CancellationToken cancellationToken) =>
        _store?.ReleaseRunReservationAsync(message.Connection, message.SyncId, cancellationToken) ?? Task.CompletedTask;

    private ResiliencePipeline<Attempt> BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder<Attempt> { TimeProvider = _time };
        if (_options.TransientRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<Attempt>
            {
                ShouldHandle = static arguments => ValueTask.FromResult(arguments.Outcome switch
                {
                    { Exception: OperationCanceledException } => false,
                    { Exception: { } error } => RunErrors.Classify(error, AzureErrors.IsTransient) == RunErrorKind.Transient,
                    { Result.Record.ErrorKind: RunErrorKind.Transient } => true,
                    _ => false,
                }),
                MaxRetryAttempts = _options.TransientRetries,
                Delay = _options.TransientRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = arguments =>
                {
                    var reason = arguments.Outcome.Exception?.Message ?? arguments.Outcome.Result.Record?.Error ?? "transient error";
                    LogTransientRetry(_logger, arguments.AttemptNumber + 1, arguments.RetryDelay, reason);
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>What one attempt left: the run record (none when nothing ran), and the claim still open after a transient failure.</summary>
    private readonly record struct Attempt(RunRecord? Record, SyncClaims.Claim? Claim);

    [LoggerMessage(2300, LogLevel.Information, "Run of {Connector} ({Trigger}, sync {SyncId}) found its lease held; queued again in {Delay}")]
    private static partial void LogBusy(ILogger logger, string connector, string trigger, string syncId, TimeSpan delay);

    [LoggerMessage(2301, LogLevel.Information, "Run {RunId} of {Connector} (sync {SyncId}) ended {Outcome} ({ErrorKind}): {Upserts} upserts, {Checkpoints} checkpoints")]
    private static partial void LogRun(ILogger logger, string connector, string runId, string syncId, RunOutcome outcome, string errorKind, long upserts, int checkpoints);

    [LoggerMessage(2302, LogLevel.Error, "Sync {SyncId} of {Connector} paused after {Continuations} continuations; not continued again. Trigger it once more or raise the budget")]
    private static partial void LogTooManyContinuations(ILogger logger, string connector, string syncId, int continuations);

    [LoggerMessage(2303, LogLevel.Error, "Run of {Connector} (sync {SyncId}) could not be carried out, the queue will retry it: {ErrorType}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string connector, string syncId, string errorType, string error);

    [LoggerMessage(2304, LogLevel.Information, "Run message of {Connector} (sync {SyncId}, continuation {Continuation}) is a duplicate: the sync is at continuation {Reached} (completed: {Completed}); dropped")]
    private static partial void LogDuplicate(ILogger logger, string connector, string syncId, int continuation, int reached, bool completed);

    [LoggerMessage(2305, LogLevel.Warning, "Run of {Connector} (sync {SyncId}, continuation {Continuation}) lost its lease; the run that took it over carries the sync on")]
    private static partial void LogSuperseded(ILogger logger, string connector, string syncId, int continuation);

    [LoggerMessage(2306, LogLevel.Error, "Run of {Connector} (sync {SyncId}) failed on its configuration and is not retried: {Error}")]
    private static partial void LogConfigurationError(ILogger logger, string connector, string syncId, string error);

    [LoggerMessage(2307, LogLevel.Warning, "Transient error; attempt {Attempt} of the run starts in {Delay}: {Error}")]
    private static partial void LogTransientRetry(ILogger logger, int attempt, TimeSpan delay, string error);
}

using Microsoft.Extensions.Logging;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.FunctionsHost.Hosting;

namespace Tributary.FunctionsHost.Api;

/// <summary>What a connector's timer does: queue a run, unless the connector is disabled, running, or has a sync queued.</summary>
public sealed partial class ConnectorScheduler(
    ConnectorDirectory connectors,
    BlobStateStore store,
    RunQueue queue,
    QueuedSyncOptions queueOptions,
    TimeProvider time,
    ILogger<ConnectorScheduler> logger)
{
    /// <summary>Queues a timer run of <paramref name="connector"/>; returns the message, or <see langword="null"/> when nothing was queued.</summary>
    public async Task<RunMessage?> OnTimerAsync(string connector, bool isPastDue, CancellationToken cancellationToken)
    {
        var settings = connectors.Get(connector);
        if (!settings.Enabled)
        {
            LogDisabled(logger, connector);
            return null;
        }

        if (await store.IsLeasedAsync(connector, cancellationToken))
        {
            LogStillRunning(logger, connector);
            return null;
        }

        var message = new RunMessage(connector, "timer", SyncIds.New(time)) { RequestedAt = time.GetUtcNow() };
        if (await store.TryReserveRunAsync(connector, message.SyncId, queueOptions.ReservationStaleAfter, cancellationToken) is not null)
        {
            LogStillRunning(logger, connector);
            return null;
        }

        await queue.EnqueueAsync(message, cancellationToken);
        LogQueued(logger, connector, message.SyncId, isPastDue);
        return message;
    }

    [LoggerMessage(3200, LogLevel.Debug, "Timer of {Connector} fired; the connector is disabled by its Enabled setting")]
    private static partial void LogDisabled(ILogger logger, string connector);

    [LoggerMessage(3201, LogLevel.Information, "Timer of {Connector} fired while a run holds its lease or a sync is queued; nothing queued")]
    private static partial void LogStillRunning(ILogger logger, string connector);

    [LoggerMessage(3202, LogLevel.Information, "Timer sync {SyncId} of {Connector} queued (past due: {IsPastDue})")]
    private static partial void LogQueued(ILogger logger, string connector, string syncId, bool isPastDue);
}

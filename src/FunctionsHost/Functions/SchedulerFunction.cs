using Microsoft.Azure.Functions.Worker;
using Tributary.FunctionsHost.Scheduling;

namespace Tributary.FunctionsHost.Functions;

/// <summary>
/// The one timer: every minute it queues the due runs of every connection (their <c>Connections__&lt;id&gt;__Schedule</c>).
/// Adding a connector type or a connection needs no code here.
/// </summary>
/// <param name="scheduler">Finds the due connections and queues their runs.</param>
public sealed class SchedulerFunction(ConnectionScheduler scheduler)
{
    /// <summary>Queues the runs due now.</summary>
    [Function("Scheduler")]
    public Task Tick([TimerTrigger(ConnectionScheduler.TimerSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        scheduler.TickAsync(cancellationToken);
}

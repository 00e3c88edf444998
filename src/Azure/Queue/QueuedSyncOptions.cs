namespace Tributary.Azure.Queue;

/// <summary>The time limits of a run taken from the queue.</summary>
public sealed class QueuedSyncOptions
{
    /// <summary>
    /// The time budget of each run: the first checkpoint after it commits, pauses the run and queues its continuation.
    /// Required; the Functions host sets it to <c>functionTimeout</c> minus a margin.
    /// </summary>
    public TimeSpan TimeBudget { get; set; }

    /// <summary>When a run that has not reached a checkpoint after its budget is stopped; before <c>functionTimeout</c>.
    /// <see langword="null"/>: the runtime's default (the budget plus a quarter).</summary>
    public TimeSpan? HardDeadline { get; set; }

    /// <summary>Continuations after which a sync that still pauses is left paused (and logged) instead of queued again. Default 1,000.</summary>
    public int MaxContinuations { get; set; } = 1000;

    /// <summary>
    /// How long a queued sync's reservation (<see cref="State.BlobStateStore.TryReserveRunAsync"/>) holds off a second request
    /// before it counts as lost and is taken over. Default 15 minutes.
    /// </summary>
    public TimeSpan ReservationStaleAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a run message that finds its connector's lease held waits, invisible in the queue, before it is tried again;
    /// it is never dropped. Default 30 seconds.
    /// </summary>
    public TimeSpan BusyRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries of a run that failed with a transient error (<see cref="Runtime.State.RunErrorKind.Transient"/>), each from the
    /// last checkpoint, before the run is left failed. 0 turns retries off. Default 3.
    /// </summary>
    public int TransientRetries { get; set; } = 3;

    /// <summary>The delay before the first transient retry; each later one doubles it, with jitter. Default 2 seconds.</summary>
    public TimeSpan TransientRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimeBudget, TimeSpan.Zero, nameof(TimeBudget));
        if (HardDeadline is { } deadline)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(deadline, TimeBudget, nameof(HardDeadline));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxContinuations, 0, nameof(MaxContinuations));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReservationStaleAfter, TimeSpan.Zero, nameof(ReservationStaleAfter));
        ArgumentOutOfRangeException.ThrowIfLessThan(BusyRetryDelay, TimeSpan.Zero, nameof(BusyRetryDelay));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(BusyRetryDelay, TimeSpan.FromDays(7), nameof(BusyRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(TransientRetries, 0, nameof(TransientRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(TransientRetryDelay, TimeSpan.Zero, nameof(TransientRetryDelay));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TransientRetryDelay, TimeSpan.FromHours(1), nameof(TransientRetryDelay));
    }
}

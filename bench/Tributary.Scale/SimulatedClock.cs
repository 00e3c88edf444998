namespace Tributary.Scale;

/// <summary>
/// One instance's view of the simulation's clock: the coordinator sets the simulated minute and the wall time it set it at, and
/// the clock reads that minute plus the real time since (slowed down near the next minute, so it never runs backwards). Every process
/// reads the same machine wall clock, so run records of different instances order correctly. Timestamps and timers stay real:
/// run budgets, lease renewals and retry delays are measured in real time, as Azurite's leases are.
/// </summary>
internal sealed class SimulatedClock : TimeProvider
{
    /// <summary>The machine's wall clock, which every instance and the coordinator share.</summary>
    public static readonly TimeProvider Wall = TimeProvider.System;

    // Past this much real time in one simulated minute, time runs a thousand times slower: it keeps its order and never reaches
    // the next minute within a quarter of an hour.
    private static readonly TimeSpan SlowAfter = TimeSpan.FromSeconds(59);
    private readonly Lock _gate = new();
    private DateTimeOffset _minute;
    private DateTimeOffset _setAt;

    public SimulatedClock(DateTimeOffset start)
    {
        _minute = start;
        _setAt = Wall.GetUtcNow();
    }

    /// <summary>Moves the clock to <paramref name="minute"/>, as of the wall time <paramref name="setAt"/>.</summary>
    public void Set(DateTimeOffset minute, DateTimeOffset setAt)
    {
        lock (_gate)
        {
            _minute = minute;
            _setAt = setAt;
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            var drift = Wall.GetUtcNow() - _setAt;
            return _minute + (drift < TimeSpan.Zero ? TimeSpan.Zero : drift <= SlowAfter ? drift : SlowAfter + ((drift - SlowAfter) / 1000));
        }
    }
}

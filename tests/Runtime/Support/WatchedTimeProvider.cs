using Microsoft.Extensions.Time.Testing;

namespace Tributary.Runtime.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells a test when a timer is armed, so the test moves the clock only once the
/// engine waits on it (advancing before the timer exists would leave it waiting forever).
/// </summary>
public sealed class WatchedTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TimeSpan, int> _armed = [];
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Armed)> _waiters = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            var waiter = _waiters.FindIndex(w => w.DueTime == dueTime);
            if (waiter >= 0)
            {
                _waiters[waiter].Armed.TrySetResult();
                _waiters.RemoveAt(waiter);
            }
            else
            {
                _armed[dueTime] = _armed.GetValueOrDefault(dueTime) + 1;
            }
        }

        return timer;
    }

    /// <summary>Completes once a timer due after <paramref name="dueTime"/> is armed; each armed timer answers one call.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime)
    {
        lock (_gate)
        {
            if (_armed.GetValueOrDefault(dueTime) > 0)
            {
                _armed[dueTime]--;
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, armed));
            return armed.Task;
        }
    }
}

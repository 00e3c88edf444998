namespace Tributary.Runtime;

/// <summary>
/// The end of a run as its connector's context sees it. Once closed, every call that would change something — an
/// operation, a checkpoint, a secret written back — is refused, whatever task makes it; the calls already inside (a secret
/// write goes to the store directly) are waited for, so none lands after the run has let go of its lease.
/// </summary>
/// <param name="run">The run, as refusals name it.</param>
internal sealed class RunEndGate(string run)
{
    private readonly Lock _gate = new();
    private volatile bool _closed;
    private int _inside;
    private TaskCompletionSource? _left;

    /// <summary>Throws the refusal once the run has ended.</summary>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public void ThrowIfClosed(string call)
    {
        if (_closed)
        {
            throw Refusal(call);
        }
    }

    /// <summary>Lets a call in, unless the run has ended; disposing the result lets it out. Closing waits for it.</summary>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public Inside Enter(string call)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw Refusal(call);
            }

            _inside++;
            return new Inside(this);
        }
    }

    /// <summary>
    /// Refuses every call from now on, cancels <paramref name="stop"/> (the connector's token), and waits up to
    /// <paramref name="grace"/> on <paramref name="time"/>'s clock for the connector's task and the calls inside to finish.
    /// </summary>
    /// <returns>Whether they finished within the grace period.</returns>
    public async Task<bool> CloseAsync(Task? connector, CancellationTokenSource stop, TimeSpan grace, TimeProvider time)
    {
        Task callsInside;
        lock (_gate)
        {
            _closed = true;
            callsInside = _inside == 0 ? Task.CompletedTask : (_left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        await stop.CancelAsync();
        var stopped = connector is null ? callsInside : Task.WhenAll(connector, callsInside);
        _ = stopped.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        if (stopped.IsCompleted)
        {
            return true;
        }

        using var graceOver = new CancellationTokenSource();
        var inTime = await Task.WhenAny(stopped, Task.Delay(grace, time, graceOver.Token)) == stopped;
        await graceOver.CancelAsync();
        return inTime;
    }

    private void Leave()
    {
        lock (_gate)
        {
            if (--_inside == 0)
            {
                _left?.TrySetResult();
            }
        }
    }

    private InvalidOperationException Refusal(string call) => new(
        $"{call} was refused: {run} has ended. A connector's work must stop when its run does (its cancellation token is cancelled then); nothing it does afterwards is written.");

    /// <summary>A call inside the gate.</summary>
    public readonly struct Inside(RunEndGate gate) : IDisposable
    {
        /// <summary>Lets the call out.</summary>
        public void Dispose() => gate.Leave();
    }
}

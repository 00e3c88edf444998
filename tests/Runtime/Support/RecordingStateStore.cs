using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Tributary.Runtime.State;

namespace Tributary.Runtime.Tests.Support;

/// <summary>Wraps a real store and logs every state write into the shared <see cref="EventLog"/>; can fail writes and lose
/// the lease.</summary>
public sealed class RecordingStateStore(IStateStore inner, EventLog events) : IStateStore
{
    private readonly Channel<string> _written = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<(RunOutcome Outcome, int Checkpoints)> _runSaves = new();
    private volatile bool _leaseLost;

    /// <summary>Each state saved, as JSON, in order: a connector that must know its checkpoint is committed waits here.</summary>
    public ChannelReader<string> Written => _written.Reader;

    /// <summary>When set, the next state write throws it instead of saving.</summary>
    public Exception? FailNextWrite { get; set; }

    public Task<StateSnapshot> ReadAsync(string connector, CancellationToken cancellationToken) => inner.ReadAsync(connector, cancellationToken);

    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, CancellationToken cancellationToken) =>
        WriteAsync(connector, state, expectedVersion, null, cancellationToken);

    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long epoch, CancellationToken cancellationToken) =>
        WriteAsync(connector, state, expectedVersion, (long?)epoch, cancellationToken);

    private async Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long? epoch, CancellationToken cancellationToken)
    {
        if (FailNextWrite is { } failure)
        {
            FailNextWrite = null;
            throw failure;
        }

        var saved = epoch is { } fence
            ? await inner.WriteAsync(connector, state, expectedVersion, fence, cancellationToken)
            : await inner.WriteAsync(connector, state, expectedVersion, cancellationToken);
        var json = state.ToJsonString();
        events.Add($"state {json}");
        _written.Writer.TryWrite(json);
        return saved;
    }

    public IAsyncEnumerable<StateSnapshot> HistoryAsync(string connector, CancellationToken cancellationToken) => inner.HistoryAsync(connector, cancellationToken);

    public Task<StateSnapshot> RollbackAsync(string connector, string version, CancellationToken cancellationToken) =>
        inner.RollbackAsync(connector, version, cancellationToken);

    public Task ResetAsync(string connector, CancellationToken cancellationToken) => inner.ResetAsync(connector, cancellationToken);

    /// <summary>From now on the lease taken last reports itself lost (as an expired blob lease does), until the next is taken.</summary>
    public void LoseLease() => _leaseLost = true;

    public async Task<IConnectorLease> AcquireLeaseAsync(string connector, CancellationToken cancellationToken)
    {
        var lease = await inner.AcquireLeaseAsync(connector, cancellationToken);
        _leaseLost = false;
        return new Lease(lease, this, connector);
    }

    /// <summary>Each run record saved, as its outcome and checkpoints at the time, in order.</summary>
    public IReadOnlyCollection<(RunOutcome Outcome, int Checkpoints)> RunSaves => _runSaves;

    /// <summary>When set, awaited before each run record is saved (and before it counts in <see cref="RunSaves"/>).</summary>
    public Func<Task>? BeforeRunSave { get; set; }

    public async Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (BeforeRunSave is { } before)
        {
            await before();
        }

        _runSaves.Enqueue((run.Outcome, run.Checkpoints));
        await inner.SaveRunAsync(run, cancellationToken);
    }

    public IAsyncEnumerable<RunRecord> ListRunsAsync(string connector, CancellationToken cancellationToken) => inner.ListRunsAsync(connector, cancellationToken);

    public Task<RunPage> ListRunsAsync(string connector, RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(connector, query, cancellationToken);

    private sealed class Lease(IConnectorLease inner, RecordingStateStore store, string connector) : IConnectorLease
    {
        public long Epoch => inner.Epoch;

        public void ThrowIfLost()
        {
            if (store._leaseLost)
            {
                throw new ConnectorBusyException($"The lease of connector '{connector}' was lost (the test broke it).");
            }

            inner.ThrowIfLost();
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

using System.Text.Json.Nodes;
using Tributary.Runtime.State;

namespace Tributary.Runtime.Tests.Support;

/// <summary>Wraps a real store and logs every state write into the shared <see cref="EventLog"/>; can fail writes.</summary>
public sealed class RecordingStateStore(IStateStore inner, EventLog events) : IStateStore
{
    /// <summary>When set, the next state write throws it instead of saving.</summary>
    public Exception? FailNextWrite { get; set; }

    public Task<StateSnapshot> ReadAsync(string connector, CancellationToken cancellationToken) => inner.ReadAsync(connector, cancellationToken);

    public async Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, CancellationToken cancellationToken)
    {
        if (FailNextWrite is { } failure)
        {
            FailNextWrite = null;
            throw failure;
        }

        var saved = await inner.WriteAsync(connector, state, expectedVersion, cancellationToken);
        events.Add($"state {state.ToJsonString()}");
        return saved;
    }

    public IAsyncEnumerable<StateSnapshot> HistoryAsync(string connector, CancellationToken cancellationToken) => inner.HistoryAsync(connector, cancellationToken);

    public Task<StateSnapshot> RollbackAsync(string connector, string version, CancellationToken cancellationToken) =>
        inner.RollbackAsync(connector, version, cancellationToken);

    public Task ResetAsync(string connector, CancellationToken cancellationToken) => inner.ResetAsync(connector, cancellationToken);

    public Task<IConnectorLease> AcquireLeaseAsync(string connector, CancellationToken cancellationToken) => inner.AcquireLeaseAsync(connector, cancellationToken);

    public Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken) => inner.SaveRunAsync(run, cancellationToken);

    public IAsyncEnumerable<RunRecord> ListRunsAsync(string connector, CancellationToken cancellationToken) => inner.ListRunsAsync(connector, cancellationToken);
}

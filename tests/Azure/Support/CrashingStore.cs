using System.Text.Json.Nodes;
using Tributary.Azure.State;
using Tributary.Runtime.State;

namespace Tributary.Azure.Tests.Support;

/// <summary>
/// The Blob store as a process that dies sees it: once <see cref="CrashSwitch.Crashed"/>, nothing more is written (no
/// failed run record, no state) and the lease is abandoned — not released — so it stays held until it expires.
/// </summary>
public sealed class CrashingStore(BlobStateStore inner, CrashSwitch crash) : IStateStore
{
    public Task<StateSnapshot> ReadAsync(string connector, CancellationToken cancellationToken) => inner.ReadAsync(connector, cancellationToken);

    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, CancellationToken cancellationToken) =>
        Saved(crash.Crashed ? throw new InvalidOperationException("The process is dead.") : inner.WriteAsync(connector, state, expectedVersion, cancellationToken));

    public Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long epoch, CancellationToken cancellationToken) =>
        Saved(crash.Crashed ? throw new InvalidOperationException("The process is dead.") : inner.WriteAsync(connector, state, expectedVersion, epoch, cancellationToken));

    public IAsyncEnumerable<StateSnapshot> HistoryAsync(string connector, CancellationToken cancellationToken) => inner.HistoryAsync(connector, cancellationToken);

    public Task<StateSnapshot> RollbackAsync(string connector, string version, CancellationToken cancellationToken) => inner.RollbackAsync(connector, version, cancellationToken);

    public Task ResetAsync(string connector, CancellationToken cancellationToken) => inner.ResetAsync(connector, cancellationToken);

    public async Task<IConnectorLease> AcquireLeaseAsync(string connector, CancellationToken cancellationToken) =>
        new Lease((BlobConnectorLease)await inner.AcquireLeaseAsync(connector, cancellationToken), crash);

    public Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken) =>
        crash.Crashed ? Task.CompletedTask : inner.SaveRunAsync(run, cancellationToken);

    public IAsyncEnumerable<RunRecord> ListRunsAsync(string connector, CancellationToken cancellationToken) => inner.ListRunsAsync(connector, cancellationToken);

    public Task<RunPage> ListRunsAsync(string connector, RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(connector, query, cancellationToken);

    private async Task<StateSnapshot> Saved(Task<StateSnapshot> write)
    {
        var saved = await write;
        crash.Saved();
        return saved;
    }

    private sealed class Lease(BlobConnectorLease inner, CrashSwitch crash) : IConnectorLease
    {
        public long Epoch => inner.Epoch;

        public void ThrowIfLost() => inner.ThrowIfLost();

        public async ValueTask DisposeAsync()
        {
            if (crash.Crashed)
            {
                await inner.AbandonAsync();
            }
            else
            {
                await inner.DisposeAsync();
            }
        }
    }
}

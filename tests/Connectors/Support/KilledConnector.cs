using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.Tests.Support;

/// <summary>
/// A connector killed partway through a sync: the first <c>operations</c> upserts, updates, deletes and truncates go
/// through, and the next one throws <see cref="SyncKilledException"/>, so nothing after it is written and no later
/// checkpoint is saved, as when the process dies there. A clean rerun must converge to the tables of a sync never killed.
/// </summary>
internal sealed class KilledConnector(Connector inner, int operations) : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => inner.Schema(configuration);

    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) =>
        inner.UpdateAsync(new KillingContext(context, operations), cancellationToken);

    private sealed class KillingContext(SyncContext inner, int operations) : SyncContext
    {
        private int _done;

        public override ConnectorConfiguration Configuration => inner.Configuration;

        public override JsonObject State => inner.State;

        public override ILogger Logger => inner.Logger;

        public override TimeProvider TimeProvider => inner.TimeProvider;

        public override TimeSpan? RemainingTime => inner.RemainingTime;

        public override HttpClient HttpClient => inner.HttpClient;

        public override ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
            inner.GetSecretAsync(name, cancellationToken);

        public override ValueTask SetSecretAsync(string name, string value, CancellationToken cancellationToken = default) =>
            inner.SetSecretAsync(name, value, cancellationToken);

        public override ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default) =>
            Next() ? inner.UpsertAsync(table, row, cancellationToken) : Killed();

        public override ValueTask UpdateAsync(string table, object row, CancellationToken cancellationToken = default) =>
            Next() ? inner.UpdateAsync(table, row, cancellationToken) : Killed();

        public override ValueTask DeleteAsync(string table, object keys, CancellationToken cancellationToken = default) =>
            Next() ? inner.DeleteAsync(table, keys, cancellationToken) : Killed();

        public override ValueTask TruncateAsync(string table, CancellationToken cancellationToken = default) =>
            Next() ? inner.TruncateAsync(table, cancellationToken) : Killed();

        public override ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default) =>
            Volatile.Read(ref _done) > operations ? Killed() : inner.CheckpointAsync(state, cancellationToken);

        private bool Next() => Interlocked.Increment(ref _done) <= operations;

        private ValueTask Killed() =>
            ValueTask.FromException(new SyncKilledException($"The sync was killed after {operations} operations."));
    }
}

/// <summary>Thrown by <see cref="KilledConnector"/> where the process would have died.</summary>
internal sealed class SyncKilledException(string message) : Exception(message);

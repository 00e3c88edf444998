using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Tributary.Sdk.Testing;

/// <summary>
/// A connector as the harness runs it: every operation it emits is recorded; HTTP goes through the test's transport when
/// one is given; and, when <c>killAfterOperations</c> is set, the sync dies at its next operation after that many upserts,
/// updates, deletes and truncates, as when the process dies there: nothing after that point is written or checkpointed.
/// </summary>
internal sealed class ObservedConnector(Connector inner, List<EmittedOperation> operations, int? killAfterOperations, HttpMessageHandler? transport)
    : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => inner.Schema(configuration);

    public override Task HandleWebhookAsync(WebhookContext context, CancellationToken cancellationToken) =>
        inner.HandleWebhookAsync(context, cancellationToken);

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        using var observed = new ObservedContext(context, operations, killAfterOperations, transport);
        await inner.UpdateAsync(observed, cancellationToken);
    }

    private sealed class ObservedContext(SyncContext inner, List<EmittedOperation> operations, int? killAfterOperations, HttpMessageHandler? transport)
        : SyncContext, IDisposable
    {
        private readonly Lock _gate = new();
        private HttpClient? _http;
        private int _done;

        public override ConnectorConfiguration Configuration => inner.Configuration;

        public override JsonObject State => inner.State;

        public override ILogger Logger => inner.Logger;

        public override TimeProvider TimeProvider => inner.TimeProvider;

        public override TimeSpan? RemainingTime => inner.RemainingTime;

        public override HttpClient HttpClient => transport is null ? inner.HttpClient : _http ??= new HttpClient(transport, disposeHandler: false);

        public override HttpMessageHandler? HttpTransport => transport ?? inner.HttpTransport;

        public override ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
            inner.GetSecretAsync(name, cancellationToken);

        public override ValueTask SetSecretAsync(string name, string value, CancellationToken cancellationToken = default) =>
            inner.SetSecretAsync(name, value, cancellationToken);

        public override ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default) =>
            Data(OperationKind.Upsert, table, row) ? inner.UpsertAsync(table, row, cancellationToken) : Killed();

        public override ValueTask UpdateAsync(string table, object row, CancellationToken cancellationToken = default) =>
            Data(OperationKind.Update, table, row) ? inner.UpdateAsync(table, row, cancellationToken) : Killed();

        public override ValueTask DeleteAsync(string table, object keys, CancellationToken cancellationToken = default) =>
            Data(OperationKind.Delete, table, keys) ? inner.DeleteAsync(table, keys, cancellationToken) : Killed();

        public override ValueTask TruncateAsync(string table, CancellationToken cancellationToken = default) =>
            Data(OperationKind.Truncate, table, null) ? inner.TruncateAsync(table, cancellationToken) : Killed();

        public override ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default) =>
            CheckpointAsync(state, inner.CheckpointAsync, cancellationToken);

        public override ValueTask CheckpointAndWaitAsync(object state, CancellationToken cancellationToken = default) =>
            CheckpointAsync(state, inner.CheckpointAndWaitAsync, cancellationToken);

        public void Dispose() => _http?.Dispose();

        private async ValueTask CheckpointAsync(object state, Func<object, CancellationToken, ValueTask> checkpoint, CancellationToken cancellationToken)
        {
            if (killAfterOperations is { } limit && Volatile.Read(ref _done) > limit)
            {
                await Killed();
            }

            var at = inner.TimeProvider.GetUtcNow();
            var saved = Json(state);
            try
            {
                await checkpoint(state, cancellationToken);
            }
            catch (SyncPausedException)
            {
                Record(new EmittedOperation(OperationKind.Checkpoint, null, saved, at));   // saved, then paused
                throw;
            }

            Record(new EmittedOperation(OperationKind.Checkpoint, null, saved, at));
        }

        // Records a data operation; false when the sync dies here instead.
        private bool Data(OperationKind kind, string table, object? value)
        {
            var done = Interlocked.Increment(ref _done);
            if (done > killAfterOperations)
            {
                return false;
            }

            Record(new EmittedOperation(kind, table, value is null ? null : Json(value), inner.TimeProvider.GetUtcNow()));
            return true;
        }

        private void Record(EmittedOperation operation)
        {
            lock (_gate)
            {
                operations.Add(operation);
            }
        }

        private ValueTask Killed() =>
            ValueTask.FromException(new SyncKilledException($"The sync was killed after {killAfterOperations} operations."));

        private static JsonObject? Json(object value)
        {
            try
            {
                return value is JsonObject json ? (JsonObject)json.DeepClone() : JsonSerializer.SerializeToNode(value) as JsonObject;
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                return null;   // the engine reports what it cannot read; the record only lacks the data
            }
        }
    }
}

/// <summary>Thrown where a killed sync's process would have died.</summary>
internal sealed class SyncKilledException(string message) : Exception(message);

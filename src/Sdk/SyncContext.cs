using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Tributary.Sdk;

/// <summary>
/// The sync in progress, as a connector sees it: its configuration and state, and the operations that
/// write to the destination.
/// </summary>
/// <remarks>
/// <para>
/// Operations are safe to call from several threads. Each returns once the operation is queued; when the
/// queue is full it waits (back-pressure). A row is a dictionary, an anonymous object, a POCO or record,
/// or a <see cref="JsonObject"/>; its keys are the source column names.
/// </para>
/// <para>
/// <see cref="CheckpointAsync"/> covers every operation that completed before it was called: it returns once
/// the checkpoint is queued, and the engine commits them, then saves the state. <see cref="CheckpointAndWaitAsync"/>
/// returns only once they are committed and the state is saved. When the run's time budget is spent,
/// the first checkpoint after it commits and then pauses the sync by throwing <see cref="SyncPausedException"/> (an
/// <see cref="OperationCanceledException"/>); let it propagate and the run continues from that state later.
/// </para>
/// </remarks>
public abstract class SyncContext
{
    /// <summary>The connector's configuration.</summary>
    public abstract ConnectorConfiguration Configuration { get; }

    /// <summary>The state saved by the last checkpoint; an empty object on the first sync and after a reset.
    /// The object is the connector's to read; changing it changes nothing until it is checkpointed.</summary>
    public abstract JsonObject State { get; }

    /// <summary>
    /// The saved state read as <typeparamref name="T"/>, a record or class of the connector's cursors; a new <typeparamref name="T"/>
    /// on the first sync. It reads what <see cref="CheckpointAsync"/> wrote from a <typeparamref name="T"/>: property names as written
    /// (use <c>[JsonPropertyName("last_updated")]</c> to keep a Fivetran state key).
    /// </summary>
    /// <exception cref="InvalidOperationException">The saved state does not read as <typeparamref name="T"/>; the message says where.</exception>
    public T ReadState<T>() where T : new() => ReadState(new T());

    /// <summary>The saved state read as <typeparamref name="T"/>, or <paramref name="initial"/> on the first sync (for a record
    /// without a parameterless constructor: <c>context.ReadState(new Cursor(Since: "2024-01-01"))</c>).</summary>
    /// <exception cref="InvalidOperationException">The saved state does not read as <typeparamref name="T"/>; the message says where.</exception>
    public T ReadState<T>(T initial)
    {
        if (State.Count == 0)
        {
            return initial;
        }

        try
        {
            return State.Deserialize<T>() ?? initial;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"The saved state does not read as {typeof(T).Name}: {ex.Message} Reset the state or fix the type.", ex);
        }
    }

    /// <summary>The sync's logger. Never log a secret.</summary>
    public abstract ILogger Logger { get; }

    /// <summary>The clock. Read the time from here, never from <c>DateTime.UtcNow</c>, so tests can control it.</summary>
    public abstract TimeProvider TimeProvider { get; }

    /// <summary>What remains of this run's time budget; <see langword="null"/> when the run has no budget.</summary>
    public abstract TimeSpan? RemainingTime { get; }

    /// <summary>An <see cref="HttpClient"/> with retries, timeouts and a circuit breaker already configured.
    /// Do not dispose it per request.</summary>
    public abstract HttpClient HttpClient { get; }

    /// <summary>
    /// The transport that HTTP clients built for this sync send through — a test's in-memory fake of the source's API, say —
    /// or <see langword="null"/> for real sockets. <c>Tributary.Sdk.Http</c>'s <c>RestClient</c> built from this context uses it;
    /// a connector that builds its own client passes it on the same way.
    /// </summary>
    public virtual HttpMessageHandler? HttpTransport => null;

    /// <summary>Reads a secret by name.</summary>
    /// <exception cref="ConfigurationException">No secret has that name.</exception>
    public abstract ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stores a new value for a secret, for example a rotated OAuth refresh token.</summary>
    public abstract ValueTask SetSecretAsync(string name, string value, CancellationToken cancellationToken = default);

    /// <summary>Inserts a row, or replaces the whole row with the same primary key. Columns not given become NULL.
    /// A soft-deleted row with that key comes back to life.</summary>
    public abstract ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default);

    /// <summary>Changes only the given columns of an existing row. Every primary-key column is required.
    /// An unknown key is counted and logged, not an error.</summary>
    public abstract ValueTask UpdateAsync(string table, object row, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes a row: it stays, marked deleted. Every primary-key column is required.</summary>
    public abstract ValueTask DeleteAsync(string table, object keys, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes every row of the table written before this call; rows written after it stay.</summary>
    public abstract ValueTask TruncateAsync(string table, CancellationToken cancellationToken = default);

    /// <summary>Commits everything emitted so far, then saves <paramref name="state"/> (a <see cref="JsonObject"/>,
    /// a dictionary or any object that serialises to a JSON object) for the next sync to start from. The call returns once
    /// the checkpoint is queued, so the connector reads on while the engine commits; a checkpoint that cannot be committed
    /// fails the sync, and the connector's next call is refused. One made while the engine is still writing may be
    /// replaced by the next: its state is then never saved, but the later one covers it.</summary>
    /// <exception cref="SyncPausedException">The time budget is spent: the checkpoint was committed and the
    /// sync is paused; the run continues from this state.</exception>
    public abstract ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default);

    /// <summary>Checkpoints as <see cref="CheckpointAsync"/> does, and returns only once everything emitted before it is
    /// committed and <paramref name="state"/> is saved: for a source that may acknowledge what it read only once it is
    /// durable, such as a queue's messages. The engine commits at once instead of gathering later rows into the same
    /// batch, so call it once a batch of the source, not once a row.</summary>
    /// <exception cref="SyncPausedException">The time budget is spent: the checkpoint was committed and the
    /// sync is paused; the run continues from this state.</exception>
    /// <exception cref="OperationCanceledException">The run stopped or failed before the checkpoint was saved.</exception>
    public abstract ValueTask CheckpointAndWaitAsync(object state, CancellationToken cancellationToken = default);
}

using System.Text.Json.Nodes;

namespace Tributary.Runtime.State;

/// <summary>
/// Where a connector's state, its checkpoint history, its run records and its one-writer lease live:
/// local files, or Azure Blob Storage.
/// </summary>
public interface IStateStore
{
    /// <summary>The last saved state; an empty state with no version when none was saved.</summary>
    Task<StateSnapshot> ReadAsync(string connector, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="state"/> only if the stored version is still <paramref name="expectedVersion"/>
    /// (<see langword="null"/>: nothing saved yet), and records it in the history.
    /// </summary>
    /// <exception cref="StateConflictException">Another writer saved a newer state.</exception>
    Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="state"/> as <see cref="WriteAsync(string, JsonObject, string?, CancellationToken)"/> does, fenced by
    /// the writer's lease: refused when the connector's lease was taken again since (a larger <see cref="IConnectorLease.Epoch"/>
    /// than <paramref name="epoch"/>), so a run that lost its lease cannot save over the run that holds it now.
    /// </summary>
    /// <exception cref="StateConflictException">Another writer saved a newer state.</exception>
    /// <exception cref="ConnectorBusyException">The lease was taken again since: this writer is fenced off.</exception>
    Task<StateSnapshot> WriteAsync(string connector, JsonObject state, string? expectedVersion, long epoch, CancellationToken cancellationToken);

    /// <summary>Every saved checkpoint, newest first.</summary>
    IAsyncEnumerable<StateSnapshot> HistoryAsync(string connector, CancellationToken cancellationToken);

    /// <summary>Makes the checkpoint <paramref name="version"/> from the history the current state again (a new version).</summary>
    /// <exception cref="KeyNotFoundException">The history has no such version.</exception>
    Task<StateSnapshot> RollbackAsync(string connector, string version, CancellationToken cancellationToken);

    /// <summary>Deletes the state and its history; the next sync starts from an empty state. Run records stay.</summary>
    Task ResetAsync(string connector, CancellationToken cancellationToken);

    /// <summary>Takes the connector's one-writer lease for the length of a run.</summary>
    /// <exception cref="ConnectorBusyException">Another run holds it.</exception>
    Task<IConnectorLease> AcquireLeaseAsync(string connector, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a run record.</summary>
    Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>The connector's run records, newest first; each is read only when the enumeration reaches it.</summary>
    IAsyncEnumerable<RunRecord> ListRunsAsync(string connector, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the connector's run records, newest first, of one sync when the query names it. The records are found by
    /// their names (and, for a sync, what is stored beside them), and only those returned are read.
    /// </summary>
    Task<RunPage> ListRunsAsync(string connector, RunQuery query, CancellationToken cancellationToken);
}

/// <summary>A held one-writer lease. Disposing releases it.</summary>
public interface IConnectorLease : IAsyncDisposable
{
    /// <summary>
    /// The fencing token: each acquisition of a connector's lease gets a larger epoch than every one before it. State writes
    /// and destination transactions carry it, and are refused once a larger one has been seen.
    /// </summary>
    long Epoch { get; }

    /// <summary>Throws when the lease was lost (it expired or was broken); the run must not commit after that.</summary>
    /// <exception cref="ConnectorBusyException">The lease is no longer held.</exception>
    void ThrowIfLost();
}

/// <summary>A saved state and its version.</summary>
/// <param name="State">The connector's state.</param>
/// <param name="Version">Opaque version for conditional writes; <see langword="null"/> when nothing was saved.</param>
/// <param name="SavedAt">When it was saved; <see langword="null"/> when nothing was saved.</param>
public sealed record StateSnapshot(JsonObject State, string? Version, DateTimeOffset? SavedAt);

/// <summary>A state write lost a race: another writer saved a newer state first.</summary>
public sealed class StateConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateConflictException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StateConflictException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping its cause.</summary>
    public StateConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>Another run of the connector holds its lease; this run is refused (HTTP 409).</summary>
public sealed class ConnectorBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConnectorBusyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ConnectorBusyException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping its cause.</summary>
    public ConnectorBusyException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

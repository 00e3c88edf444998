namespace Tributary.Sdk;

/// <summary>
/// A data connector: declares its tables and reads its source into them.
/// Derive from this class, give it a <see cref="ConnectorAttribute"/> with its registered name, and
/// implement <see cref="UpdateAsync"/>.
/// </summary>
/// <remarks>
/// One instance serves one sync; the runtime creates it through its public parameterless constructor.
/// The semantics of every operation follow the Fivetran Connector SDK.
/// </remarks>
public abstract class Connector
{
    /// <summary>
    /// The tables this connector writes, with their primary keys and the column types that must be forced.
    /// Columns not declared here are inferred from their values. The default declares nothing: every table
    /// is keyless (a surrogate <c>_tributary_id</c> key) and every column inferred.
    /// </summary>
    /// <param name="configuration">The connector's configuration.</param>
    public virtual IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => [];

    /// <summary>
    /// Reads the source from <see cref="SyncContext.State"/> onwards and emits operations through
    /// <paramref name="context"/>. Checkpoint whenever what was emitted so far may be committed.
    /// </summary>
    /// <param name="context">The sync in progress: configuration, state, operations, logging, secrets.</param>
    /// <param name="cancellationToken">Cancelled when the run is stopped or paused.</param>
    public abstract Task UpdateAsync(SyncContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Handles a webhook delivery the host has verified. Emit operations through <paramref name="context"/> — they are
    /// committed like a sync's, and a checkpoint saves state (a cursor, the time of the last delivery) — or call
    /// <see cref="WebhookContext.RequestSync"/> to have the host queue a sync. It runs under the connector's lease, never
    /// beside a sync, and within a short time limit: the sender waits for the answer. The default asks for a sync and
    /// ignores the body; a host may then queue the sync without running it.
    /// </summary>
    /// <param name="context">The delivery and the sync context it runs in.</param>
    /// <param name="cancellationToken">Cancelled when the time limit passes or the host gives up on the request.</param>
    public virtual Task HandleWebhookAsync(WebhookContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.RequestSync();
        return Task.CompletedTask;
    }
}

/// <summary>Registers a <see cref="Connector"/> under a stable lower_snake_case name.</summary>
/// <param name="name">The registered name, for example <c>hello</c> or <c>simple_three_step_cursor</c>.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConnectorAttribute(string name) : Attribute
{
    /// <summary>The registered name, lower snake case.</summary>
    public string Name { get; } = name;

    /// <summary>One line shown by <c>tributary list</c>.</summary>
    public string? Description { get; init; }
}

using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Runtime;

/// <summary>One run of one connection: a configured instance of a connector.</summary>
/// <param name="Connection">
/// The connection's id, lower snake case: the key of its state, history, lease, run records and secrets. A connection named after
/// its connector (the CLI's default) keeps the keys a connector had before connections.
/// </param>
/// <param name="Connector">A fresh connector instance.</param>
/// <param name="Configuration">The connection's configuration.</param>
public sealed record SyncRequest(string Connection, Connector Connector, ConnectorConfiguration Configuration)
{
    private readonly string? _schema;

    /// <summary>The destination schema the connection's tables are written to. Default: the connection's id.</summary>
    public string Schema
    {
        get => _schema ?? Connection;
        init => _schema = value;
    }

    /// <summary>What started the run, recorded in the run record: <c>cli</c>, <c>timer</c>, <c>http</c>, <c>continuation</c>. Default <c>manual</c>.</summary>
    public string Trigger { get; init; } = "manual";

    /// <summary>The sync a continuation belongs to (its first run's id); <see langword="null"/> starts a new sync.</summary>
    public string? SyncId { get; init; }

    /// <summary>
    /// The time budget: the first checkpoint after it commits and pauses the run (<see cref="RunOutcome.Paused"/>).
    /// <see langword="null"/> (the default): no budget.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>
    /// When a run that has not reached a checkpoint after its budget is stopped (<see cref="RunOutcome.TimedOut"/>).
    /// Default: twice <see cref="TimeBudget"/>, so a connector that checkpoints regularly always reaches its next checkpoint.
    /// </summary>
    public TimeSpan? HardDeadline { get; init; }

    /// <summary>
    /// The connector's lease when the caller already holds it (a queue host that checks, under the lease, that this run is not a
    /// duplicate); the runner then uses it and leaves releasing it to the caller. <see langword="null"/> (the default): the runner
    /// takes the lease itself and releases it when the run ends.
    /// </summary>
    public IConnectorLease? Lease { get; init; }

    /// <summary>Receives the run's counts after every committed batch. Optional.</summary>
    public IProgress<RunRecord>? Progress { get; init; }
}

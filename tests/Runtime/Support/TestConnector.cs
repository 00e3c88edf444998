using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Support;

/// <summary>A connector whose update is a lambda, with an optional schema.</summary>
public sealed class TestConnector(Func<SyncContext, CancellationToken, Task> update, params TableDefinition[] tables) : Connector
{
    /// <summary>Set when <see cref="Schema"/> throws.</summary>
    public Exception? SchemaFailure { get; init; }

    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        SchemaFailure is { } failure ? throw failure : tables;

    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => update(context, cancellationToken);
}

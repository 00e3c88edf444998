using System.Globalization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.ThreeOperations;

/// <summary>The three row operations on one table: upsert, update and delete.</summary>
[Connector("three_operations", Description = "Upserts three rows, updates one and deletes another.")]
public sealed partial class ThreeOperationsConnector : Connector
{
    private const string Table = "three";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Table) { PrimaryKey = ["id"] }];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // Random keys, as in Fivetran's example: every sync adds three new rows.
        string[] ids = [NewId(), NewId(), NewId()];

        for (var i = 0; i < ids.Length; i++)
        {
            LogAdding(context.Logger, ids[i]);
            await context.UpsertAsync(Table, new { id = ids[i], val1 = ids[i], val2 = i }, cancellationToken);
        }

        // Update changes only the columns given; val2 keeps its value.
        LogUpdating(context.Logger, ids[1]);
        await context.UpdateAsync(Table, new { id = ids[1], val1 = "abc" }, cancellationToken);

        // Delete is soft: the row stays, marked deleted.
        LogDeleting(context.Logger, ids[2]);
        await context.DeleteAsync(Table, new { id = ids[2] }, cancellationToken);

        await context.CheckpointAsync(context.State, cancellationToken);
    }

    private static string NewId() => Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Adding {Id}")]
    private static partial void LogAdding(ILogger logger, string id);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Updating {Id} to 'abc'")]
    private static partial void LogUpdating(ILogger logger, string id);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "Deleting {Id}")]
    private static partial void LogDeleting(ILogger logger, string id);
}

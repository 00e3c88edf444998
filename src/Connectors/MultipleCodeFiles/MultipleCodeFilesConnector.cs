using Tributary.Connectors.MultipleCodeFiles.Utils;
using Tributary.Sdk;

namespace Tributary.Connectors.MultipleCodeFiles;

/// <summary>A connector split over several files: the timestamp parsing lives in <c>Utils/</c>.</summary>
[Connector("multiple_code_files", Description = "Writes two events whose timestamps a helper in another file normalises.")]
public sealed class MultipleCodeFilesConnector : Connector
{
    private const string Table = "event";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["name"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["name"] = ColumnType.String,
                ["timestamp"] = ColumnType.UtcDateTime,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // The source writes its timestamps two ways; the helper turns both into ISO-8601 UTC text,
        // which the declared UTC_DATETIME column takes.
        await context.UpsertAsync(
            Table,
            new { name = "Event1", timestamp = TimestampSerializer.Serialize("2024/09/24 14:30:45") },
            cancellationToken);
        await context.UpsertAsync(
            Table,
            new { name = "Event2", timestamp = TimestampSerializer.Serialize("2024-09-24 10:30:45") },
            cancellationToken);

        await context.CheckpointAsync(context.State, cancellationToken);
    }
}

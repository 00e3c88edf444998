using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.SimpleThreeStepCursor;

/// <summary>A cursor in state: each sync reads the next of three source rows, and the fourth sync fails.</summary>
[Connector("simple_three_step_cursor", Description = "Reads one of three rows per sync, keeping a cursor in state.")]
public sealed partial class SimpleThreeStepCursorConnector : Connector
{
    private const string Table = "hello_world";

    private static readonly HelloWorldRow[] SourceData =
    [
        new(10, "Hello world"),
        new(20, "Hello again"),
        new(30, "Good bye"),
    ];

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["id"],
            // Only message is declared; the type of id is inferred from its values.
            Columns = new Dictionary<string, ColumnType> { ["message"] = ColumnType.String },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var cursor = context.State["cursor"]?.GetValue<int>() ?? 0;
        LogCursor(context.Logger, cursor);

        if (cursor >= SourceData.Length)
        {
            throw new InvalidOperationException(
                $"Source exhausted: the example source has {SourceData.Length} rows and the cursor is {cursor}. " +
                "This is expected on the 4th sync; reset the connector to start again.");
        }

        await context.UpsertAsync(Table, SourceData[cursor], cancellationToken);

        // The checkpoint commits the row and saves where the next sync starts.
        await context.CheckpointAsync(new JsonObject { ["cursor"] = cursor + 1 }, cancellationToken);
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Current cursor is {Cursor}")]
    private static partial void LogCursor(ILogger logger, int cursor);
}

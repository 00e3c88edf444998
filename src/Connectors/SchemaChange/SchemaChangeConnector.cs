using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.SchemaChange;

/// <summary>An inferred column whose values change type across syncs: the column widens, no reset needed.</summary>
[Connector("schema_change", Description = "Sends an int, then a double, then text in one column across syncs.")]
public sealed partial class SchemaChangeConnector : Connector
{
    private const string Table = "change_int_to_string";

    // Sync 1: an int (INT); sync 2: a double (widens to DOUBLE); sync 3: text (widens to STRING);
    // sync 4 and later: a double again, which the STRING column takes as text — types never narrow.
    private static readonly (object Value, string Description)[] Steps =
    [
        (42, "First sync with integer"),
        (42.42, "Second sync with float"),
        ("forty-two point forty-two", "Third sync with non-numeric string"),
        (42.43, "Fourth sync with float again"),
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var syncCount = context.State["sync_count"]?.GetValue<int>() ?? 0;
        var (value, description) = Steps[Math.Min(syncCount, Steps.Length - 1)];
        LogSync(context.Logger, syncCount + 1, (IConvertible)value, value.GetType().Name);

        // No schema: the table is keyless and every column is inferred from the values sent. A dictionary,
        // because the type of int_to_string is not fixed at compile time.
        await context.UpsertAsync(
            Table,
            new Dictionary<string, object?>
            {
                ["id"] = 1,
                ["int_to_string"] = value,
                ["description"] = description,
            },
            cancellationToken);

        await context.CheckpointAsync(new JsonObject { ["sync_count"] = syncCount + 1 }, cancellationToken);
    }

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Sync #{SyncNumber}: inserting value '{Value}' ({ValueType})")]
    private static partial void LogSync(ILogger logger, int syncNumber, IConvertible value, string valueType);
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.TrackingTables;

/// <summary>
/// Tracks in state which tables have been synced, so a table added to the connector later gets its full
/// history while the others continue incrementally.
/// </summary>
[Connector("tracking_tables", Description = "Keeps the list of synced tables in state; a new table is backfilled from initialSyncStart.")]
public sealed partial class TrackingTablesConnector : Connector
{
    private const string InitialSyncStartKey = "initialSyncStart";
    private const string SyncedTablesKey = "synced_tables";
    private const string ToTimestampKey = "to_timestamp";

    /// <summary>The tables this connector syncs. Add one here and the next sync backfills only that table.</summary>
    internal static IReadOnlyList<string> DefaultTablesToSync { get; } = ["A", "B", "C"];

    private readonly IReadOnlyList<string> _tablesToSync;

    /// <summary>Creates the connector for the tables A, B and C.</summary>
    public TrackingTablesConnector()
        : this(DefaultTablesToSync)
    {
    }

    /// <summary>Creates the connector for other tables, as a later version of it would be.</summary>
    internal TrackingTablesConnector(IReadOnlyList<string> tablesToSync) => _tablesToSync = tablesToSync;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var initialSyncStart = configuration.GetDateTimeOffset(InitialSyncStartKey);

        var startTimestamp = FormatTimestamp(context.TimeProvider.GetUtcNow());
        var initialTimestamp = FormatTimestamp(initialSyncStart);
        // Incremental tables continue from where the last sync ended.
        var fromTimestamp = context.State[ToTimestampKey]?.GetValue<string>() ?? configuration.GetString(InitialSyncStartKey);

        // The tables synced before come from state; a connector that did not track them yet may list them in
        // configuration, comma-separated.
        var previouslySynced = ReadSyncedTables(context.State) ?? ReadSyncedTables(configuration);

        var syncedThisSync = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var table in _tablesToSync)
        {
            string message;
            if (previouslySynced.Contains(table))
            {
                LogIncremental(context.Logger, table, fromTimestamp);
                message = $"syncing {table} since {fromTimestamp}";
            }
            else
            {
                LogNewTable(context.Logger, table, initialTimestamp);
                message = $"syncing {table} since {initialTimestamp}";
            }

            await context.UpsertAsync(table, new { message }, cancellationToken);
            syncedThisSync.Add(table);
        }

        var syncedTables = new JsonArray();
        foreach (var table in syncedThisSync)
        {
            syncedTables.Add(table);
        }

        await context.CheckpointAsync(
            new JsonObject { [ToTimestampKey] = startTimestamp, [SyncedTablesKey] = syncedTables },
            cancellationToken);
    }

    private static HashSet<string>? ReadSyncedTables(JsonObject state)
    {
        if (state[SyncedTablesKey] is not JsonArray { Count: > 0 } tables)
        {
            return null;
        }

        return tables.Select(static table => table!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
    }

    private static HashSet<string> ReadSyncedTables(ConnectorConfiguration configuration) =>
        configuration.GetString(SyncedTablesKey, string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>ISO-8601 with milliseconds and a <c>Z</c> for UTC, as Python's <c>isoformat(timespec="milliseconds")</c>.</summary>
    internal static string FormatTimestamp(DateTimeOffset timestamp)
    {
        var text = timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        return text.EndsWith("+00:00", StringComparison.Ordinal) ? text[..^6] + "Z" : text;
    }

    [LoggerMessage(EventId = 1700, Level = LogLevel.Debug, Message = "{Table} was synced before, go back to {FromTimestamp}")]
    private static partial void LogIncremental(ILogger logger, string table, string fromTimestamp);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Debug, Message = "{Table} is new, needs history from {InitialTimestamp}")]
    private static partial void LogNewTable(ILogger logger, string table, string initialTimestamp);
}

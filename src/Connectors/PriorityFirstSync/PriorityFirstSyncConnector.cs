using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.PriorityFirstSync;

/// <summary>
/// Priority-first sync: the first sync reads only the recent window (the last day), so fresh data lands at once; later
/// syncs alternate between reading what changed since and walking the history back a day at a time, within a time budget
/// per sync, until the historical limit (five days back). Each table keeps an incremental and a historical cursor.
/// </summary>
[Connector("priority_first_sync", Description = "Recent data first, then history backfilled a day at a time in later syncs under a time budget.")]
public sealed partial class PriorityFirstSyncConnector : Connector
{
    private const string DefaultBaseUrl = "http://127.0.0.1:5001/";
    private static readonly TimeSpan PriorityWindow = TimeSpan.FromDays(1);
    private static readonly TimeSpan HistoryDepth = TimeSpan.FromDays(5);
    private static readonly TimeSpan HistoricalBatch = TimeSpan.FromDays(1);

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(UsersSync.Table)
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["id"] = ColumnType.String,
                ["name"] = ColumnType.String,
                ["email"] = ColumnType.String,
                ["address"] = ColumnType.String,
                ["company"] = ColumnType.String,
                ["job"] = ColumnType.String,
                ["updated_at"] = ColumnType.UtcDateTime,
                ["created_at"] = ColumnType.UtcDateTime,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var budget = TimeSpan.FromMinutes(configuration.GetInt32("sync_duration_threshold_minutes", 360));
        if (budget <= TimeSpan.Zero)
        {
            throw new ConfigurationException("Configuration key 'sync_duration_threshold_minutes' must be a positive number of minutes.");
        }

        var time = context.TimeProvider;
        var syncStart = time.GetUtcNow();
        var baseUrl = configuration.GetUri("base_url", DefaultBaseUrl);
        var options = new RestClientOptions { BaseAddress = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/") };
        using var client = new RestClient(context, options);
        var users = new UsersSync(context, client, configuration.GetString("users_path", "pagination/keyset"));

        var state = context.ReadState<PfsState>();
        var pfs = state.PfsCursors;
        var cursors = pfs.User ??= new TableCursors
        {
            // The first sync reads the last day only; the history before it waits for the next syncs.
            IncrementalCursor = TableCursors.Format(syncStart - PriorityWindow),
            HistoricalCursor = TableCursors.Format(syncStart - PriorityWindow),
            HistoricalLimit = TableCursors.Format(syncStart - HistoryDepth),
        };
        pfs.IsIncrementalSync ??= true;
        var limit = TableCursors.Parse(cursors.HistoricalLimit, "historical_limit");

        if (pfs.IsIncrementalSync.Value || HistoryComplete(cursors, limit))
        {
            LogIncremental(context.Logger, cursors.IncrementalCursor);
            await users.IncrementalAsync(state, cursors, cancellationToken);
            pfs.IsIncrementalSync = false;
        }
        else
        {
            while (!HistoryComplete(cursors, limit))
            {
                var historical = TableCursors.Parse(cursors.HistoricalCursor, "historical_cursor");
                var from = historical - HistoricalBatch < limit ? limit : historical - HistoricalBatch;
                LogHistorical(context.Logger, from, cursors.HistoricalCursor);
                await users.HistoricalBatchAsync(state, cursors, from, cancellationToken);
                if (time.GetUtcNow() - syncStart >= budget)
                {
                    // Stop between batches: the batch is checkpointed, the next historical sync carries on from it.
                    LogBudgetSpent(context.Logger, budget.TotalMinutes, cursors.HistoricalCursor);
                    break;
                }
            }

            pfs.IsIncrementalSync = true;
        }

        await context.CheckpointAsync(state, cancellationToken);
    }

    private static bool HistoryComplete(TableCursors cursors, DateTimeOffset limit) =>
        TableCursors.Parse(cursors.HistoricalCursor, "historical_cursor") <= limit;

    [LoggerMessage(EventId = 2340, Level = LogLevel.Information, Message = "Incremental sync of user from {UpdatedSince}")]
    private static partial void LogIncremental(ILogger logger, string updatedSince);

    [LoggerMessage(EventId = 2341, Level = LogLevel.Information, Message = "Historical sync of user from {From} to {Until}")]
    private static partial void LogHistorical(ILogger logger, DateTimeOffset from, string until);

    [LoggerMessage(EventId = 2342, Level = LogLevel.Information, Message = "The sync's budget of {Minutes} minutes is spent; history continues from {HistoricalCursor} next time")]
    private static partial void LogBudgetSpent(ILogger logger, double minutes, string historicalCursor);
}

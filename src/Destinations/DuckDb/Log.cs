using Microsoft.Extensions.Logging;
using Tributary.Runtime.Destinations;

namespace Tributary.Destinations.DuckDb;

/// <summary>The DuckDB destination's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Opened DuckDB warehouse {DatabasePath}")]
    public static partial void Opened(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug,
        Message = "Wrote a batch of {Rows} rows ({Batch}) to {Schema}.{Table}: {Result} rows applied in {ElapsedMs:F1} ms")]
    public static partial void BatchWritten(ILogger logger, WriteBatch batch, int rows, string schema, string table, long result, double elapsedMs);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Rolling back a DuckDB transaction failed; the connection is reopened on the next call")]
    public static partial void RollbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug,
        Message = "An upsert into {Schema}.{Table} met existing keys; the batch is merged instead, and so are the table's later batches")]
    public static partial void DirectAppendConflicted(ILogger logger, string schema, string table);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Building the primary keys of the tables loaded into {Schema} failed; the next sync builds them")]
    public static partial void KeyBuildFailed(ILogger logger, string schema, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "Checkpointing after a batch of {Schema}.{Table} failed; the batch is committed, and a later checkpoint or the close writes it to the database file")]
    public static partial void CheckpointFailed(ILogger logger, string schema, string table, Exception exception);
}

using Microsoft.Extensions.Logging;
using Tributary.Runtime.Destinations;

namespace Tributary.Destinations.Postgres;

/// <summary>The PostgreSQL destination's log messages. Connection strings and tokens are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "PostgreSQL destination for {Host}/{Database} created; Entra token sign-in: {UsesToken}")]
    public static partial void Created(ILogger logger, string? host, string? database, bool usesToken);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug,
        Message = "Wrote a batch of {Rows} rows ({Batch}) to {Schema}.{Table}: {Result} rows applied in {ElapsedMs:F1} ms")]
    public static partial void BatchWritten(ILogger logger, WriteBatch batch, int rows, string schema, string table, long result, double elapsedMs);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug,
        Message = "An upsert into {Schema}.{Table} met existing keys; the batch is merged instead, and so are the table's later batches")]
    public static partial void DirectCopyConflicted(ILogger logger, string schema, string table);
}

using Microsoft.Extensions.Logging;
using Tributary.Runtime.Destinations;

namespace Tributary.Destinations.Delta;

/// <summary>The Delta destination's log messages (its log layer has its own, from 3200).</summary>
internal static partial class DestinationLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug,
        Message = "Committed version {Version} of Delta table {Table} ({Batch}): {Removed} files rewritten, {Added} files added")]
    public static partial void Committed(ILogger logger, string table, long version, int removed, int added, WriteBatch batch);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information,
        Message = "Another writer committed version {Version} of Delta table {Table} first, touching none of this batch's files; committing on the next version")]
    public static partial void CommitRebased(ILogger logger, string table, long version);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information,
        Message = "Another writer committed version {Version} of Delta table {Table} first, changing what this batch rewrites; planning it again")]
    public static partial void CommitReplanned(ILogger logger, string table, long version);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Could not delete the uncommitted data file {Path}; vacuum collects it")]
    public static partial void CleanupFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Debug,
        Message = "Compacted Delta table {Table} at version {Version}: {Removed} small files joined into {Added}")]
    public static partial void Compacted(ILogger logger, string table, long version, int removed, int added);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information,
        Message = "Compacting Delta table {Table} lost its version to another writer; the next write tries again")]
    public static partial void CompactionSkipped(ILogger logger, string table);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "Vacuuming Delta table {Table} failed; a later write tries again")]
    public static partial void VacuumFailed(ILogger logger, string table, Exception exception);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Warning, Message = "Cleaning up the log of Delta table {Table} failed; a later write tries again")]
    public static partial void LogCleanupFailed(ILogger logger, string table, Exception exception);
}

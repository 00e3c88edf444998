using Microsoft.Extensions.Logging;

namespace Tributary.Destinations.Delta.Log;

/// <summary>The log's messages.</summary>
internal static partial class DeltaLogMessages
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Delta table {Table}: the checkpoint of version {Version} could not be written; the commit stands and the next checkpoint covers it")]
    public static partial void CheckpointNotWritten(ILogger logger, string table, long version, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Delta table {Table}: the checkpoint of version {Version} could not be read; replaying the JSON commits instead")]
    public static partial void CheckpointNotRead(ILogger logger, string table, long version, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug,
        Message = "Delta table {Table}: checkpoint written at version {Version} with {Actions} actions")]
    public static partial void CheckpointWritten(ILogger logger, string table, long version, long actions);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information,
        Message = "Delta table {Table}: vacuum deleted {Files} unreferenced files ({Bytes} bytes) older than {Retention}")]
    public static partial void Vacuumed(ILogger logger, string table, int files, long bytes, TimeSpan retention);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information,
        Message = "Delta table {Table}: the commit of version {Version} is gone or differs from the one read; the table was dropped and created again, or its log cleaned up past that version, so it is loaded afresh")]
    public static partial void SnapshotReplaced(ILogger logger, string table, long version);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information,
        Message = "Delta table {Table}: log cleanup deleted {Files} log files before the checkpoint of version {Checkpoint} (log retention {Retention}) and {TempFiles} abandoned temp files")]
    public static partial void LogCleaned(ILogger logger, string table, int files, long? checkpoint, TimeSpan retention, int tempFiles);
}

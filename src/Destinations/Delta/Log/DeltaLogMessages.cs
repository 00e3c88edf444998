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
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Tributary.Runtime;

/// <summary>The sync engine's log messages.</summary>
[DebuggerNonUserCode]
internal static partial class SyncLog
{
    [LoggerMessage(1, LogLevel.Information, "Checkpoint of {Connector} saved as version {Version} ({StateBytes} bytes)")]
    public static partial void Checkpointed(ILogger logger, string connector, string version, long stateBytes);

    [LoggerMessage(2, LogLevel.Information, "Schema change in {Schema}.{Table}: {Change}")]
    public static partial void SchemaChanged(ILogger logger, string schema, string table, string change);

    [LoggerMessage(3, LogLevel.Warning, "{Count} update or delete operation(s) on {Table} named a key that does not exist; they changed nothing")]
    public static partial void UnknownKeys(ILogger logger, string table, long count);

    [LoggerMessage(4, LogLevel.Error, "Run {RunId} of {Connector} failed: {Error}")]
    public static partial void RunFailed(ILogger logger, string connector, string runId, string error);

    [LoggerMessage(5, LogLevel.Error, "Run {RunId} of {Connector} ended, but its connector did not stop within {GracePeriod}; everything it does from now on is refused")]
    public static partial void ConnectorDidNotStop(ILogger logger, string connector, string runId, TimeSpan gracePeriod);
}

using Microsoft.Extensions.Logging;

namespace Tributary.Sdk.Http;

/// <summary>The toolkit's log lines. URIs are logged with their secrets masked.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 2900, Level = LogLevel.Warning, Message = "{Method} {Uri} answered {Outcome}; retry {Attempt} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string method, Uri? uri, string outcome, int attempt, long delayMs);

    [LoggerMessage(EventId = 2901, Level = LogLevel.Debug, Message = "{Method} {Uri}: {Status}")]
    public static partial void Answered(ILogger logger, string method, Uri uri, int status);
}

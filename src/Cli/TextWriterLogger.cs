using Microsoft.Extensions.Logging;

namespace Tributary.Cli;

/// <summary>
/// Writes log lines to the command's error writer, <c>INFO  hello: message</c>, one line per entry.
/// Connectors log from <paramref name="minimum"/> up; the engine's routine messages only from Warning.
/// </summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer, LogLevel minimum) : ILoggerProvider
{
    private const string ConnectorPrefix = "Tributary.Connector.";
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith(ConnectorPrefix, StringComparison.Ordinal)
        ? new Logger(this, categoryName[ConnectorPrefix.Length..], minimum)
        : new Logger(this, "tributary", (LogLevel)Math.Max((int)minimum, (int)LogLevel.Warning));

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            writer.WriteLine(line);
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string name, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Trace => "TRACE",
                LogLevel.Debug => "DEBUG",
                LogLevel.Information => "INFO ",
                LogLevel.Warning => "WARN ",
                LogLevel.Error => "ERROR",
                _ => "CRIT ",
            };
            var message = formatter(state, exception);
            provider.Write(exception is null ? $"{level} {name}: {message}" : $"{level} {name}: {message} ({exception.Message})");
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Tributary.Runtime;

/// <summary>Wraps a connector's logger so the value of every secret the run has read or written is masked.</summary>
internal sealed class RedactingLogger(ILogger inner, SecretGuard secrets) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (secrets.IsEmpty)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        // With secrets in play the message is formatted, masked, and passed on as text; the exception as its masked text.
        var message = secrets.Redact(formatter(state, exception));
        var error = exception is null ? null : new RedactedException(secrets.Redact(exception.ToString()));
        inner.Log(logLevel, eventId, message, error, static (text, _) => text);
    }

    private sealed class RedactedException(string description) : Exception(description)
    {
        public override string ToString() => Message;
    }
}

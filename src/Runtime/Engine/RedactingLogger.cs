using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tributary.Runtime;

/// <summary>Wraps a connector's logger so the value of every secret the run has read or written is masked
/// (<paramref name="secrets"/> maps each value to its secret's name).</summary>
internal sealed class RedactingLogger(ILogger inner, ConcurrentDictionary<string, string> secrets) : ILogger
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
        var message = Mask(formatter(state, exception));
        var error = exception is null ? null : new RedactedException(Mask(exception.ToString()));
        inner.Log(logLevel, eventId, message, error, static (text, _) => text);
    }

    private string Mask(string text)
    {
        foreach (var value in secrets.Keys)
        {
            text = text.Replace(value, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private sealed class RedactedException(string description) : Exception(description)
    {
        public override string ToString() => Message;
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Tributary.Runtime.Tests.Support;

/// <summary>Hands out <see cref="FakeLogger"/>s that all write into one collector.</summary>
public sealed class FakeLoggerFactory(FakeLogCollector collector) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new FakeLogger(collector, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}

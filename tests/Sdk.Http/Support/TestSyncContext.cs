using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tributary.Sdk.Http.Tests.Support;

/// <summary>A sync context for the toolkit's tests: configuration and secrets, a log of secret writes; no destination.</summary>
public sealed class TestSyncContext(IReadOnlyDictionary<string, string>? configuration = null) : SyncContext
{
    public ConcurrentDictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>What happened, in order: <c>set name=value</c> for every secret written. Tests add their own events.</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    public override ConnectorConfiguration Configuration { get; } = new(configuration ?? new Dictionary<string, string>());

    public override JsonObject State { get; } = [];

    public override ILogger Logger => NullLogger.Instance;

    public override TimeProvider TimeProvider => TimeProvider.System;

    public override TimeSpan? RemainingTime => null;

    public override HttpClient HttpClient => throw new NotSupportedException();

    public override ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
        Secrets.TryGetValue(name, out var value) ? ValueTask.FromResult(value) : throw new ConfigurationException($"No secret '{name}'.");

    public override ValueTask SetSecretAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        Secrets[name] = value;
        Events.Enqueue($"set {name}={value}");
        return ValueTask.CompletedTask;
    }

    public override ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override ValueTask UpdateAsync(string table, object row, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override ValueTask DeleteAsync(string table, object keys, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override ValueTask TruncateAsync(string table, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override ValueTask CheckpointAndWaitAsync(object state, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

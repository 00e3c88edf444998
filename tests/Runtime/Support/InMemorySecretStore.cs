using System.Collections.Concurrent;
using Tributary.Runtime.Secrets;

namespace Tributary.Runtime.Tests.Support;

/// <summary>Secrets in a dictionary; records every write, and can hold writes until a test lets them through.</summary>
public sealed class InMemorySecretStore : ISecretStore
{
    private readonly ConcurrentDictionary<(string Connector, string Name), string> _values = new();
    private readonly ConcurrentQueue<(string Connector, string Name, string Value)> _writes = new();

    /// <summary>When set, a write waits for this task before it stores its value.</summary>
    public Task? HoldWrites { get; set; }

    /// <summary>Completed when a write reaches the store (before it waits on <see cref="HoldWrites"/>).</summary>
    public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(string Connector, string Name, string Value)> Writes => [.. _writes];

    public string? this[string connector, string name]
    {
        get => _values.TryGetValue((connector, name), out var value) ? value : null;
        set => _values[(connector, name)] = value ?? throw new ArgumentNullException(nameof(value));
    }

    public ValueTask<string?> GetAsync(string connector, string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(this[connector, name]);

    public async ValueTask SetAsync(string connector, string name, string value, CancellationToken cancellationToken)
    {
        WriteStarted.TrySetResult();
        if (HoldWrites is { } hold)
        {
            await hold;   // a store that ignores cancellation, as the worst case
        }

        _values[(connector, name)] = value;
        _writes.Enqueue((connector, name, value));
    }
}

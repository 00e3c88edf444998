using System.Collections.Concurrent;

namespace Tributary.Runtime.Secrets;

/// <summary>How long <see cref="CachingSecretStore"/> keeps what it read.</summary>
public sealed class SecretCacheOptions
{
    /// <summary>How long a value read (or the news that there is no such secret) is served without reading again. Default 5 minutes.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a failed read is served as the same failure before the store is asked again, so a flood during an
    /// outage or throttling does not become one read per request. Default 5 seconds.</summary>
    public TimeSpan FailureLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws when a lifetime is not positive, or the failure lifetime is longer than the lifetime.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A lifetime is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Lifetime, TimeSpan.Zero, nameof(Lifetime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FailureLifetime, TimeSpan.Zero, nameof(FailureLifetime));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FailureLifetime, Lifetime, nameof(FailureLifetime));
    }
}

/// <summary>
/// A secret store that remembers each secret it reads for <see cref="SecretCacheOptions.Lifetime"/>, so that requests nobody
/// has authenticated yet (webhook deliveries) cannot turn into one Key Vault read each. Concurrent misses of one secret share
/// one read; a missing secret is remembered like a value; a failed read is remembered for
/// <see cref="SecretCacheOptions.FailureLifetime"/>. Writes go to the inner store and replace the remembered value.
/// Values live only in memory, per instance: another instance's write is seen once the lifetime has passed, so a store whose
/// secrets rotate under a run (OAuth refresh tokens) is read through the inner store, not through this one.
/// </summary>
public sealed class CachingSecretStore : ISecretStore
{
    private readonly ISecretStore _inner;
    private readonly SecretCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Connector, string Name), Entry> _entries = new();

    /// <summary>Creates the cache in front of <paramref name="inner"/>.</summary>
    /// <param name="inner">The store read on a miss and written through.</param>
    /// <param name="options">The lifetimes; validated here. Defaults when omitted.</param>
    /// <param name="timeProvider">The clock of the lifetimes; default <see cref="TimeProvider.System"/>.</param>
    public CachingSecretStore(ISecretStore inner, SecretCacheOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _options = options ?? new SecretCacheOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetAsync(string connector, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(name);
        var key = (connector, name);
        while (true)
        {
            var now = _time.GetUtcNow();
            if (_entries.TryGetValue(key, out var entry) && !entry.IsStale(now, _options))
            {
                return await entry.Read.Value.WaitAsync(cancellationToken);
            }

            // The read starts only once this entry is in place, and is shared by everyone who asks while it lasts, so no one
            // caller's cancellation may stop it. A caller that loses the race to replace the entry reads nothing itself.
            var fresh = new Entry(new Lazy<Task<string?>>(() => ReadAsync(connector, name)), now);
            var won = entry is null ? _entries.TryAdd(key, fresh) : _entries.TryUpdate(key, fresh, entry);
            if (won)
            {
                return await fresh.Read.Value.WaitAsync(cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(string connector, string name, string value, CancellationToken cancellationToken)
    {
        await _inner.SetAsync(connector, name, value, cancellationToken);
        _entries[(connector, name)] = new Entry(new Lazy<Task<string?>>(Task.FromResult<string?>(value)), _time.GetUtcNow());
    }

    // Async, so that even an exception the inner store throws before its first await lands in the shared task.
    private async Task<string?> ReadAsync(string connector, string name) =>
        await _inner.GetAsync(connector, name, CancellationToken.None);

    private sealed record Entry(Lazy<Task<string?>> Read, DateTimeOffset StartedAt)
    {
        // An entry whose read has not started (its creator is about to start it) or has not finished is never stale.
        public bool IsStale(DateTimeOffset now, SecretCacheOptions options) => Read.IsValueCreated && Read.Value.IsCompleted
            && now - StartedAt >= (Read.Value.IsCompletedSuccessfully ? options.Lifetime : options.FailureLifetime);
    }
}

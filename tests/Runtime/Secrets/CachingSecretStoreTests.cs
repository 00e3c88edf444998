using Microsoft.Extensions.Time.Testing;
using Tributary.Runtime.Secrets;

namespace Tributary.Runtime.Tests.Secrets;

public sealed class CachingSecretStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly CountingStore _inner = new();

    private CachingSecretStore NewCache(SecretCacheOptions? options = null) => new(_inner, options, _time);

    [Fact]
    public async Task GetAsync_RepeatedWithinLifetime_ReadsOnce()
    {
        var cache = NewCache();
        _inner.Values["key"] = "v1";

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal("v1", await cache.GetAsync("hello", "key", None));
        }

        Assert.Equal(1, _inner.Reads);
    }

    [Fact]
    public async Task GetAsync_AfterLifetime_ReadsAgain()
    {
        var cache = NewCache(new SecretCacheOptions { Lifetime = TimeSpan.FromMinutes(2) });
        _inner.Values["key"] = "v1";
        await cache.GetAsync("hello", "key", None);
        _inner.Values["key"] = "v2";

        _time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromTicks(1));
        var before = await cache.GetAsync("hello", "key", None);
        _time.Advance(TimeSpan.FromTicks(1));
        var after = await cache.GetAsync("hello", "key", None);

        Assert.Equal(("v1", "v2", 2), (before, after, _inner.Reads));
    }

    [Fact]
    public async Task GetAsync_MissingSecret_IsRememberedToo()
    {
        var cache = NewCache();

        Assert.Null(await cache.GetAsync("hello", "absent", None));
        Assert.Null(await cache.GetAsync("hello", "absent", None));

        Assert.Equal(1, _inner.Reads);
    }

    [Fact]
    public async Task GetAsync_ConcurrentMisses_ShareOneRead()
    {
        var cache = NewCache();
        _inner.Values["key"] = "v1";
        _inner.Gate = new TaskCompletionSource();

        var readers = Enumerable.Range(0, 100).Select(_ => cache.GetAsync("hello", "key", None).AsTask()).ToList();
        _inner.Gate.SetResult();

        Assert.All(await Task.WhenAll(readers), value => Assert.Equal("v1", value));
        Assert.Equal(1, _inner.Reads);
    }

    [Fact]
    public async Task GetAsync_CallerCancelsWhileShared_OthersStillGetTheValue()
    {
        var cache = NewCache();
        _inner.Values["key"] = "v1";
        _inner.Gate = new TaskCompletionSource();
        using var cancelled = new CancellationTokenSource();

        var giving = cache.GetAsync("hello", "key", cancelled.Token).AsTask();
        var waiting = cache.GetAsync("hello", "key", None).AsTask();
        await cancelled.CancelAsync();
        _inner.Gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giving);
        Assert.Equal(("v1", 1), (await waiting, _inner.Reads));
    }

    [Fact]
    public async Task GetAsync_FailedRead_IsRememberedForTheFailureLifetimeOnly()
    {
        var cache = NewCache(new SecretCacheOptions { FailureLifetime = TimeSpan.FromSeconds(5) });
        _inner.Failure = new InvalidOperationException("vault down");

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("hello", "key", None).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("hello", "key", None).AsTask());
        Assert.Equal(1, _inner.Reads);

        _inner.Failure = null;
        _inner.Values["key"] = "v1";
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("v1", await cache.GetAsync("hello", "key", None));
        Assert.Equal(2, _inner.Reads);
    }

    [Fact]
    public async Task SetAsync_WritesThroughAndServesTheNewValue()
    {
        var cache = NewCache();
        _inner.Values["key"] = "v1";
        await cache.GetAsync("hello", "key", None);

        await cache.SetAsync("hello", "key", "v2", None);

        Assert.Equal(("v2", "v2", 1), (await cache.GetAsync("hello", "key", None), _inner.Values["key"], _inner.Reads));
    }

    [Fact]
    public async Task GetAsync_OtherConnectorOrName_ReadSeparately()
    {
        var cache = NewCache();
        _inner.Values["key"] = "v1";

        await cache.GetAsync("hello", "key", None);
        await cache.GetAsync("other", "key", None);
        await cache.GetAsync("hello", "other_key", None);

        Assert.Equal(3, _inner.Reads);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(60, 0)]
    [InlineData(60, 61)]
    public void Constructor_LifetimesOutOfRange_Throws(int lifetimeSeconds, int failureSeconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NewCache(new SecretCacheOptions
        {
            Lifetime = TimeSpan.FromSeconds(lifetimeSeconds),
            FailureLifetime = TimeSpan.FromSeconds(failureSeconds),
        }));

    /// <summary>Counts reads; <see cref="Gate"/>, when set, holds every read until it completes.</summary>
    private sealed class CountingStore : ISecretStore
    {
        private int _reads;

        public Dictionary<string, string> Values { get; } = [];

        public TaskCompletionSource? Gate { get; set; }

        public Exception? Failure { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public async ValueTask<string?> GetAsync(string connector, string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            return Failure is { } failure ? throw failure : Values.GetValueOrDefault(name);
        }

        public ValueTask SetAsync(string connector, string name, string value, CancellationToken cancellationToken)
        {
            Values[name] = value;
            return ValueTask.CompletedTask;
        }
    }
}

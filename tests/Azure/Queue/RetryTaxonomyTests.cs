using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.Azure.Tests.State;
using Tributary.Azure.Tests.Support;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Azure.Tests.Queue;

/// <summary>
/// The retry taxonomy of queued runs: a configuration error fails the run once and is not retried; a transient one is retried
/// with backoff, each attempt from the last checkpoint; anything else fails the run. The run record says which.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetryTaxonomyTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);
    private readonly string _container = "retry-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _queueName = "runs-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _files = Directory.CreateTempSubdirectory("tributary-azure-retry-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ProcessAsync_UnusableDestinationSetting_OneFailedConfigurationRecordAndNoRetry()
    {
        var (store, queue, processor, factory) = Build(
            _ => new Connectors.Hello.HelloConnector(),
            failure: _ => new ConfigurationException("Connector 'hello' names destination 'duckbd'. Known destinations: duckdb, postgres."));

        var record = await processor.ProcessAsync(Message("sync-config"), CancellationToken.None);

        var stored = Assert.Single(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", CancellationToken.None)));
        Assert.Equal((RunOutcome.Failed, RunErrorKind.Configuration, "sync-config"), (stored.Outcome, stored.ErrorKind, stored.SyncId));
        Assert.Contains("names destination 'duckbd'", stored.Error, StringComparison.Ordinal);
        Assert.Equal(stored.Id, record!.Id);
        Assert.Equal(1, factory.Calls);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Null(await store.TryReserveRunAsync("hello", "the-next-sync", TimeSpan.FromMinutes(15), CancellationToken.None));
    }

    [Fact]
    public async Task ProcessAsync_ConnectorMissingConfigurationKey_OneFailedConfigurationRecordAndNoRetry()
    {
        var (store, _, processor, factory) = Build(_ => new NeedsKeyConnector());

        var record = await processor.ProcessAsync(Message("sync-key"), CancellationToken.None);

        var stored = Assert.Single(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", CancellationToken.None)));
        Assert.Equal((RunOutcome.Failed, RunErrorKind.Configuration), (stored.Outcome, stored.ErrorKind));
        Assert.Equal("Missing required configuration key 'api_url'.", record!.Error);
        Assert.Equal(1, factory.Calls);
    }

    [Fact]
    public async Task ProcessAsync_SourceUnavailableTwice_RetriedAfterBackoffAndSucceeds()
    {
        var (store, _, processor, factory) = Build(call => new FlakyConnector(failures: call <= 2 ? 1 : 0), retries: 3, delay: TimeSpan.FromSeconds(2));

        var processing = processor.ProcessAsync(Message("sync-flaky"), CancellationToken.None);

        // Each failed attempt waits out its backoff on the clock before the next one starts.
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await EventuallyAsync(() => factory.Calls == attempt && !processing.IsCompleted);
            await EventuallyAsync(async () => (await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", CancellationToken.None))).Count(r => r.Outcome == RunOutcome.Failed) == attempt);
            Assert.Equal(attempt, factory.Calls);
            await AdvanceUntilAsync(() => factory.Calls > attempt || processing.IsCompleted);
        }

        var record = await processing.WaitAsync(Wait);
        Assert.Equal(RunOutcome.Succeeded, record!.Outcome);
        Assert.Equal(3, factory.Calls);
        var runs = await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", CancellationToken.None));
        Assert.Equal(2, runs.Count(r => r is { Outcome: RunOutcome.Failed, ErrorKind: RunErrorKind.Transient }));
        Assert.Single(runs, r => r.Outcome == RunOutcome.Succeeded);
    }

    [Fact]
    public async Task ProcessAsync_TransientEveryAttempt_FailsAfterRetriesAndEndsTheSync()
    {
        var (store, queue, processor, factory) = Build(_ => new FlakyConnector(failures: 1), retries: 2, delay: TimeSpan.Zero);
        var message = Message("sync-down");

        var record = await processor.ProcessAsync(message, CancellationToken.None);

        Assert.Equal((RunOutcome.Failed, RunErrorKind.Transient), (record!.Outcome, record.ErrorKind));
        Assert.Equal(3, factory.Calls);
        Assert.Equal(3, (await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", CancellationToken.None))).Count(r => r.ErrorKind == RunErrorKind.Transient));
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // The sync is over: a redelivery of its message runs nothing.
        Assert.Null(await processor.ProcessAsync(message, CancellationToken.None));
        Assert.Equal(3, factory.Calls);
    }

    [Fact]
    public async Task ProcessAsync_StorageUnavailableWhilePreparing_RetriedAndRuns()
    {
        var (_, _, processor, factory) = Build(
            _ => new Connectors.Hello.HelloConnector(),
            failure: call => call == 1 ? new RequestFailedException(503, "The server is busy.") : null,
            delay: TimeSpan.Zero);

        var record = await processor.ProcessAsync(Message("sync-503"), CancellationToken.None);

        Assert.Equal(RunOutcome.Succeeded, record!.Outcome);
        Assert.Equal(2, factory.Calls);
    }

    [Fact]
    public async Task ProcessAsync_ConnectorBug_FailsOnceAsFatal()
    {
        var (store, _, processor, factory) = Build(_ => new BuggyConnector());

        var record = await processor.ProcessAsync(Message("sync-bug"), CancellationToken.None);

        Assert.Equal((RunOutcome.Failed, RunErrorKind.Fatal), (record!.Outcome, record.ErrorKind));
        Assert.Single(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", CancellationToken.None)));
        Assert.Equal(1, factory.Calls);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_files, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private RunMessage Message(string syncId) => new("hello", "timer", syncId) { RequestedAt = _time.GetUtcNow() };

    private (BlobStateStore Store, QueueClient Queue, QueuedSyncProcessor Processor, RunFactory Factory) Build(
        Func<int, Connector> connector, Func<int, Exception?>? failure = null, int retries = 3, TimeSpan? delay = null)
    {
        var store = new BlobStateStore(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container });
        var queue = azurite.CreateQueueClient(_queueName);
        queue.CreateIfNotExists();
        var factory = new RunFactory(store, Path.Combine(_files, "warehouse.db"), _time, connector, new Dictionary<string, string>()) { Failure = failure };
        var options = new QueuedSyncOptions { TimeBudget = TimeSpan.FromMinutes(5), TransientRetries = retries, TransientRetryDelay = delay ?? TimeSpan.Zero };
        return (store, queue, new QueuedSyncProcessor(factory, new RunQueue(queue), options, _time, reservations: store), factory);
    }

    private static Task EventuallyAsync(Func<bool> condition) => EventuallyAsync(() => Task.FromResult(condition()));

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    // Moves the clock a second at a time until the backoff's timer has fired.
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (!condition())
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    private sealed class NeedsKeyConnector : Connector
    {
        public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
        {
            _ = context.Configuration.GetString("api_url");
            return Task.CompletedTask;
        }
    }

    /// <summary>Writes a row, then fails as an unavailable source <paramref name="failures"/> times in a row (0: succeeds).</summary>
    private sealed class FlakyConnector(int failures) : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => [new TableDefinition("items") { PrimaryKey = ["id"] }];

        public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
        {
            await context.UpsertAsync("items", new { id = 1 }, cancellationToken);
            if (failures > 0)
            {
                throw new SourceUnavailableException("The API answered 503 Service Unavailable.");
            }

            await context.CheckpointAsync(new { done = true }, cancellationToken);
        }
    }

    private sealed class BuggyConnector : Connector
    {
        public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A bug in the connector.");
    }
}

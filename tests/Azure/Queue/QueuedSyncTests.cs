using Azure.Storage.Queues;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.Azure.Tests.State;
using Tributary.Azure.Tests.Support;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Azure.Tests.Queue;

[Collection(AzuriteCollection.Name)]
public sealed class QueuedSyncTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(5);
    private readonly string _container = "queued-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _queueName = "runs-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _files = Directory.CreateTempSubdirectory("tributary-azure-queued-").FullName;

    [Fact]
    public async Task ProcessAsync_Synthetic200kWithSmallBudget_FinishesThroughContinuations()
    {
        // Every checkpoint (5,000 rows) moves the clock 10 s; a 45 s budget pauses each run at its 5th checkpoint: 25,000 rows a run.
        const long Rows = 200_000;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var store = new BlobStateStore(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container }, time);
        var queueClient = azurite.CreateQueueClient(_queueName);
        var queue = new RunQueue(queueClient);
        var factory = new Factory(
            store,
            Path.Combine(_files, "warehouse.db"),
            time,
            () => new PacedSyntheticConnector(time, TimeSpan.FromSeconds(10)),
            new Dictionary<string, string> { ["rows"] = $"{Rows}", ["checkpoint_every"] = "5000" });
        var processor = new QueuedSyncProcessor(factory, queue, new QueuedSyncOptions { TimeBudget = TimeSpan.FromSeconds(45) }, time, reservations: store);
        Assert.Null(await store.TryReserveRunAsync("synthetic", "sync-200k", TimeSpan.FromMinutes(15), CancellationToken.None));
        await queue.EnqueueAsync(new RunMessage("synthetic", "http", "sync-200k") { RequestedAt = time.GetUtcNow() }, CancellationToken.None);

        var records = await DrainAsync(queueClient, processor);

        Assert.True(records.Count(r => r.Outcome == RunOutcome.Paused) >= 5, $"{records.Count} runs");
        Assert.Equal([.. Enumerable.Repeat(RunOutcome.Paused, 8), RunOutcome.Succeeded], records.Select(r => r.Outcome));
        Assert.Equal(["http", .. Enumerable.Repeat("continuation", 8)], records.Select(r => r.Trigger));
        Assert.Equal(Rows, records.Sum(r => r.Total(t => t.Upserts)));
        Assert.All(records, r => Assert.Equal("sync-200k", r.SyncId));

        // The stored history is the same continuous chain: one sync, each run starting after the one before ended.
        var stored = (await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("synthetic", CancellationToken.None))).OrderBy(r => r.StartedAt).ThenBy(r => r.Id).ToList();
        Assert.Equal(records.Select(r => r.Id).Order(), stored.Select(r => r.Id).Order());
        Assert.All(stored, r => Assert.Equal("sync-200k", r.SyncId));
        Assert.Equal(41, stored.Sum(r => r.Checkpoints));
        for (var i = 1; i < records.Count; i++)
        {
            Assert.True(records[i].StartedAt >= records[i - 1].EndedAt, "runs overlap");
        }

        var (count, distinct, wrong) = await new LocalWarehouse(Path.Combine(_files, "warehouse.db")).CheckSyntheticAsync("synthetic");
        Assert.Equal((Rows, Rows, 0L), (count, distinct, wrong));
        Assert.Equal(Rows, (await store.ReadAsync("synthetic", CancellationToken.None)).State["next"]!.GetValue<long>());
        Assert.Null((await queueClient.ReceiveMessageAsync()).Value);

        // The sync held the connector's reservation through every continuation and gave it up at its end.
        Assert.Null(await store.TryReserveRunAsync("synthetic", "next-sync", TimeSpan.FromMinutes(15), CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_CrashBetweenCheckpoints_NextTriggerAfterLeaseExpiryResumesAndConverges()
    {
        const long Rows = 20_000;
        var configuration = new ConnectorConfiguration(new Dictionary<string, string> { ["rows"] = $"{Rows}", ["checkpoint_every"] = "5000" });
        var options = new BlobStateStoreOptions { ContainerName = _container, LeaseDuration = TimeSpan.FromSeconds(15), LeaseRenewalInterval = TimeSpan.FromSeconds(5) };
        var store = new BlobStateStore(azurite.CreateBlobServiceClient(), options);
        var runnerOptions = new SyncRunnerOptions { BatchSize = 1_000 };
        var crashed = Path.Combine(_files, "crashed.db");

        // The first run dies after 12,500 upserts: checkpoints at 5,000 and 10,000 are committed, some later batches written.
        var crash = new CrashSwitch();
        await using (var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = crashed }))
        {
            await new SyncRunner(destination, new CrashingStore(store, crash), runnerOptions)
                .RunAsync(new SyncRequest("synthetic", new CrashingSyntheticConnector(crash, 12_500, checkpointsBefore: 2), configuration) { Trigger = "timer" }, CancellationToken.None);
        }

        Assert.True(crash.Crashed);
        Assert.Equal(10_000, (await store.ReadAsync("synthetic", CancellationToken.None)).State["next"]!.GetValue<long>());
        var left = Assert.Single(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("synthetic", CancellationToken.None)));
        Assert.Equal(RunOutcome.Running, left.Outcome);   // what a dead process leaves: its last saved record

        // The next trigger comes while the dead run's lease is still held: refused, nothing runs.
        await using (var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = crashed }))
        {
            await Assert.ThrowsAsync<ConnectorBusyException>(() => new SyncRunner(destination, store, runnerOptions)
                .RunAsync(new SyncRequest("synthetic", new Connectors.Synthetic.SyntheticConnector(), configuration) { Trigger = "timer" }, CancellationToken.None));
        }

        // Once the lease has expired on the service (not renewed: at most 15 s), the next trigger resumes from the last checkpoint.
        using (var expiry = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            while (await store.IsLeasedAsync("synthetic", expiry.Token))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), expiry.Token);
            }
        }

        RunRecord resumed;
        await using (var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = crashed }))
        {
            resumed = await new SyncRunner(destination, store, runnerOptions)
                .RunAsync(new SyncRequest("synthetic", new Connectors.Synthetic.SyntheticConnector(), configuration) { Trigger = "timer" }, CancellationToken.None);
        }

        Assert.Equal(RunOutcome.Succeeded, resumed.Outcome);
        Assert.Equal(Rows - 10_000, resumed.Total(t => t.Upserts));

        // The same final table as a run that never crashed.
        var clean = Path.Combine(_files, "clean.db");
        var cleanStore = new BlobStateStore(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container + "-clean" });
        await using (var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = clean }))
        {
            await new SyncRunner(destination, cleanStore, runnerOptions)
                .RunAsync(new SyncRequest("synthetic", new Connectors.Synthetic.SyntheticConnector(), configuration), CancellationToken.None);
        }

        const string Content = "SELECT id, name, amount, flag, created_at, _tributary_deleted FROM synthetic.synthetic_rows ORDER BY id";
        var expected = await new LocalWarehouse(clean).QueryAsync(Content);
        var actual = await new LocalWarehouse(crashed).QueryAsync(Content);
        Assert.Equal(Rows, actual.Count);
        Assert.Equal(expected, actual);
        Assert.Equal((Rows, Rows, 0L), await new LocalWarehouse(crashed).CheckSyntheticAsync("synthetic"));
    }

    private static async Task<List<RunRecord>> DrainAsync(QueueClient queue, QueuedSyncProcessor processor)
    {
        var records = new List<RunRecord>();
        using var timeout = new CancellationTokenSource(Wait);
        for (var runs = 0; runs < 50; runs++)
        {
            var message = (await queue.ReceiveMessageAsync(cancellationToken: timeout.Token)).Value;
            if (message is null)
            {
                return records;
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, timeout.Token);
            var record = await processor.ProcessAsync(RunMessage.Parse(message.Body), timeout.Token);
            records.Add(record ?? throw new InvalidOperationException("A continuation was refused as busy."));
        }

        throw new InvalidOperationException("More than 50 runs: the sync does not converge.");
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

    private sealed class Factory(
        IStateStore store,
        string databasePath,
        TimeProvider time,
        Func<Connector> connector,
        Dictionary<string, string> configuration) : IConnectorRunFactory
    {
        public ValueTask<ConnectorRun> CreateAsync(string name, CancellationToken cancellationToken)
        {
            var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = databasePath });
            var runner = new SyncRunner(destination, store, new SyncRunnerOptions { BatchSize = 10_000 }, timeProvider: time);
            return ValueTask.FromResult(new ConnectorRun(runner, new SyncRequest(name, connector(), new ConnectorConfiguration(configuration)), destination));
        }
    }
}

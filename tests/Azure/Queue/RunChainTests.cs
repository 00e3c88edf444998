using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.Azure.Tests.State;
using Tributary.Azure.Tests.Support;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Azure.Tests.Queue;

/// <summary>
/// Runs that cannot fork: a sync is one chain of runs (continuation 0, 1, 2, …) however its messages are duplicated or
/// redelivered, and a message that finds the connector busy waits in the queue instead of being dropped.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunChainTests(AzuriteFixture azurite) : IDisposable
{
    // 20,000 rows, a checkpoint every 5,000 moving the clock 10 s, a 15 s budget: two paused runs, then one that succeeds.
    private const long Rows = 20_000;
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private readonly string _container = "chain-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _queueName = "runs-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _files = Directory.CreateTempSubdirectory("tributary-azure-chain-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ProcessAsync_DuplicatedMessage_LeavesOneChainOfRuns()
    {
        var (store, queue, processor, _) = Build(_ => new PacedSyntheticConnector(_time, TimeSpan.FromSeconds(10)));
        var message = new RunMessage("synthetic", "http", "sync-dup") { RequestedAt = _time.GetUtcNow() };
        await new RunQueue(queue).EnqueueAsync(message, CancellationToken.None);
        await new RunQueue(queue).EnqueueAsync(message, CancellationToken.None);

        var results = await QueueRuns.DrainAsync(queue, processor, Wait);

        Assert.Equal(1, results.Count(r => r is null));   // the copy of continuation 0 ran nothing
        await AssertOneChainAsync(store, "sync-dup");
    }

    [Fact]
    public async Task ProcessAsync_MessageRedeliveredAfterVisibilityTimeout_LeavesOneChainOfRuns()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (store, queue, processor, factory) = Build(call => call == 1
            ? new GatedConnector(new PacedSyntheticConnector(_time, TimeSpan.FromSeconds(10)), entered, release.Task)
            : new PacedSyntheticConnector(_time, TimeSpan.FromSeconds(10)));
        await new RunQueue(queue).EnqueueAsync(new RunMessage("synthetic", "timer", "sync-slow") { RequestedAt = _time.GetUtcNow() }, CancellationToken.None);

        // The first delivery's run outlasts the message's visibility timeout...
        var first = (await queue.ReceiveMessageAsync(visibilityTimeout: TimeSpan.FromSeconds(1))).Value;
        var running = processor.ProcessAsync(RunMessage.Parse(first.Body), CancellationToken.None);
        await entered.Task.WaitAsync(Wait);

        // ...so the queue hands the same message out again while the run goes on: it finds the lease held and waits in the queue.
        var again = await ReceiveAsync(queue);
        Assert.Equal((first.MessageId, 2L), (again.MessageId, again.DequeueCount));
        await queue.DeleteMessageAsync(again.MessageId, again.PopReceipt);
        Assert.Null(await processor.ProcessAsync(RunMessage.Parse(again.Body), CancellationToken.None));
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        release.SetResult();
        Assert.Equal(RunOutcome.Paused, (await running.WaitAsync(Wait))!.Outcome);
        var results = await QueueRuns.DrainAsync(queue, processor, Wait);

        Assert.Contains(null, results);   // the waiting copy, once visible, was dropped: its continuation had completed
        Assert.Equal(4, factory.Calls);    // continuation 0, its busy copy, 1 and 2: the dropped copy prepared nothing
        await AssertOneChainAsync(store, "sync-slow");
    }

    [Fact]
    public async Task ProcessAsync_LeaseHeld_QueuesMessageAgainInvisibleForTheDelay()
    {
        var (store, queue, processor, factory) = Build(_ => new PacedSyntheticConnector(_time, TimeSpan.FromSeconds(10)));
        var message = new RunMessage("synthetic", QueuedSyncProcessor.ContinuationTrigger, "sync-busy") { Continuation = 3, RequestedAt = _time.GetUtcNow() };
        var holder = await store.AcquireLeaseAsync("synthetic", CancellationToken.None);

        var result = await processor.ProcessAsync(message, CancellationToken.None);

        Assert.Null(result);
        Assert.Empty(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("synthetic", CancellationToken.None)));
        Assert.Empty((await queue.PeekMessagesAsync()).Value);   // queued again, but not visible yet
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        await holder.DisposeAsync();

        var waited = await ReceiveAsync(queue);
        Assert.Equal(message, RunMessage.Parse(waited.Body));
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

    private (BlobStateStore Store, QueueClient Queue, QueuedSyncProcessor Processor, RunFactory Factory) Build(Func<int, Connector> connector)
    {
        var store = new BlobStateStore(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container }, _time);
        var queue = azurite.CreateQueueClient(_queueName);
        queue.CreateIfNotExists();
        var factory = new RunFactory(
            store,
            Path.Combine(_files, "warehouse.db"),
            _time,
            connector,
            new Dictionary<string, string> { ["rows"] = $"{Rows}", ["checkpoint_every"] = "5000" });
        var options = new QueuedSyncOptions { TimeBudget = TimeSpan.FromSeconds(15), BusyRetryDelay = TimeSpan.FromSeconds(1) };
        return (store, queue, new QueuedSyncProcessor(factory, new RunQueue(queue), options, _time, reservations: store), factory);
    }

    // One chain: continuations 0, 1 and 2 ran once each, one after another, and the table is whole.
    private async Task AssertOneChainAsync(BlobStateStore store, string syncId)
    {
        var runs = (await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("synthetic", CancellationToken.None)))
            .OrderBy(r => r.StartedAt).ThenBy(r => r.Id).ToList();
        Assert.Equal([RunOutcome.Paused, RunOutcome.Paused, RunOutcome.Succeeded], runs.Select(r => r.Outcome));
        Assert.All(runs, r => Assert.Equal(syncId, r.SyncId));
        Assert.Equal(Rows, runs.Sum(r => r.Total(t => t.Upserts)));
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i].StartedAt >= runs[i - 1].EndedAt, "runs overlap");
        }

        Assert.Equal((Rows, Rows, 0L), await new LocalWarehouse(Path.Combine(_files, "warehouse.db")).CheckSyntheticAsync("synthetic"));
        Assert.Equal(Rows, (await store.ReadAsync("synthetic", CancellationToken.None)).State["next"]!.GetValue<long>());
    }

    private static async Task<QueueMessage> ReceiveAsync(QueueClient queue)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            if ((await queue.ReceiveMessageAsync(cancellationToken: deadline.Token)).Value is { } message)
            {
                return message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }

    /// <summary>Holds its connector at the first checkpoint until the test releases it.</summary>
    private sealed class GatedConnector(Connector inner, TaskCompletionSource entered, Task release) : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => inner.Schema(configuration);

        public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) =>
            inner.UpdateAsync(new Context(context, entered, release), cancellationToken);

        private sealed class Context(SyncContext inner, TaskCompletionSource entered, Task release) : DelegatingSyncContext(inner)
        {
            public override async ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default)
            {
                if (entered.TrySetResult())
                {
                    await release.WaitAsync(cancellationToken);
                }

                await base.CheckpointAsync(state, cancellationToken);
            }
        }
    }
}

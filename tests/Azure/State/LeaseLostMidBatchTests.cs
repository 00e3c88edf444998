using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Specialized;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Azure.Tests.State;

/// <summary>
/// The lease as a fencing token, end to end: a run that loses its lease while a batch is on its way to the warehouse cannot
/// commit it over the run that took the lease next.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LeaseLostMidBatchTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);
    private const string Content = "SELECT account, amount, _tributary_deleted FROM ledger.balances ORDER BY account";
    private readonly string _container = "fenced-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _files = Directory.CreateTempSubdirectory("tributary-azure-fenced-").FullName;

    [Fact]
    public async Task RunAsync_LeaseLostMidBatch_OldWritersCommitRefusedAndTableEqualsCleanRun()
    {
        var store = new BlobStateStore(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container });
        var warehouse = Path.Combine(_files, "fenced.db");
        await using var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = warehouse });

        // The old run commits its first checkpoint, then stalls inside the destination with its second batch (entries 5–9).
        var stalled = new StallingDestination(destination, stallAtWrite: 2);
        var old = new SyncRunner(stalled, store, new SyncRunnerOptions()).RunAsync(Request("timer"), CancellationToken.None);
        await stalled.Stalled.WaitAsync(Wait);

        // Its lease is lost (broken, as an expired lease is taken); the next run takes it and finishes the sync.
        var lease = azurite.CreateBlobServiceClient().GetBlobContainerClient(_container).GetBlobClient("connectors/ledger/lease").GetBlobLeaseClient();
        await lease.BreakAsync(TimeSpan.Zero);
        var next = await new SyncRunner(destination, store, new SyncRunnerOptions()).RunAsync(Request("http"), CancellationToken.None);
        Assert.Equal(RunOutcome.Succeeded, next.Outcome);

        // The old run wakes up and commits its stale batch: refused, inside the transaction, by the later epoch.
        stalled.Resume();
        var refused = await old.WaitAsync(Wait);

        Assert.Equal(RunOutcome.Failed, refused.Outcome);
        Assert.Equal(RunErrorKind.Fatal, refused.ErrorKind);
        Assert.Contains("lost its lease", refused.Error, StringComparison.Ordinal);
        Assert.Equal(1, refused.Checkpoints);
        Assert.Equal(20, (await store.ReadAsync("ledger", CancellationToken.None)).State["next"]!.GetValue<int>());

        var clean = Path.Combine(_files, "clean.db");
        var cleanStore = new BlobStateStore(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container + "-clean" });
        await using (var cleanDestination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = clean }))
        {
            Assert.Equal(RunOutcome.Succeeded, (await new SyncRunner(cleanDestination, cleanStore).RunAsync(Request("timer"), CancellationToken.None)).Outcome);
        }

        await destination.DisposeAsync();
        var expected = await new LocalWarehouse(clean).QueryAsync(Content);
        Assert.Equal([15L, 16L, 17L, 18L, 19L], expected.Select(r => Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, await new LocalWarehouse(warehouse).QueryAsync(Content));
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

    private static SyncRequest Request(string trigger) =>
        new("ledger", new LedgerConnector(), ConnectorConfiguration.Empty) { Trigger = trigger };

    /// <summary>
    /// Entries 0–19, each the new balance of account <c>entry % 5</c>, a checkpoint after every fifth: the final balances are
    /// 15–19, and a late replay of an earlier batch would set them back.
    /// </summary>
    private sealed class LedgerConnector : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
            [new TableDefinition("balances") { PrimaryKey = ["account"] }];

        public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
        {
            for (var entry = context.State["next"]?.GetValue<int>() ?? 0; entry < 20; entry++)
            {
                await context.UpsertAsync("balances", new { account = entry % 5, amount = (long)entry }, cancellationToken);
                if ((entry + 1) % 5 == 0)
                {
                    await context.CheckpointAsync(new JsonObject { ["next"] = entry + 1 }, cancellationToken);
                }
            }
        }
    }

    /// <summary>Passes batches on, but holds the one numbered <paramref name="stallAtWrite"/> until the test resumes it.</summary>
    private sealed class StallingDestination(IDestination inner, int stallAtWrite) : IDestination
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public Task Stalled => _stalled.Task;

        public void Resume() => _resume.TrySetResult();

        public Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken) => inner.GetTablesAsync(schema, cancellationToken);

        public async Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _writes) == stallAtWrite)
            {
                _stalled.TrySetResult();
                await _resume.Task.WaitAsync(cancellationToken);
            }

            return await inner.WriteAsync(batch, cancellationToken);
        }

        public Task DropSchemaAsync(string schema, CancellationToken cancellationToken) => inner.DropSchemaAsync(schema, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

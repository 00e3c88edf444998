using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Azure.Tests.State;

[Collection(AzuriteCollection.Name)]
public sealed class BlobLeaseTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _container = "lease-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _files = Directory.CreateTempSubdirectory("tributary-azure-lease-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    private BlobStateStore NewStore(TimeSpan? duration = null, TimeSpan? interval = null) => new(
        azurite.CreateBlobServiceClient(),
        new BlobStateStoreOptions
        {
            ContainerName = _container,
            LeaseDuration = duration ?? TimeSpan.FromSeconds(60),
            LeaseRenewalInterval = interval ?? TimeSpan.FromSeconds(20),
        },
        _time);

    private SyncRunner NewRunner(IStateStore store, DuckDbDestination destination) => new(destination, store, timeProvider: _time);

    private DuckDbDestination NewDestination() => new(new DuckDbDestinationOptions { DatabasePath = Path.Combine(_files, "warehouse.db") });

    [Fact]
    public async Task AcquireLeaseAsync_Held_SecondIsRefusedUntilReleased()
    {
        var store = NewStore();
        var lease = await store.AcquireLeaseAsync("hello", CancellationToken.None);

        var refused = await Assert.ThrowsAsync<ConnectorBusyException>(() => NewStore().AcquireLeaseAsync("hello", CancellationToken.None));
        Assert.True(await store.IsLeasedAsync("hello", CancellationToken.None));
        await lease.DisposeAsync();
        await (await NewStore().AcquireLeaseAsync("hello", CancellationToken.None)).DisposeAsync();

        Assert.Contains("'hello' is already running", refused.Message, StringComparison.Ordinal);
        Assert.False(await store.IsLeasedAsync("hello", CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_TwoRunsStartedTogether_ExactlyOneRunsOtherRefused()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var store = NewStore();
        await using var destination = NewDestination();
        await using var otherDestination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = Path.Combine(_files, "other.db") });

        Task<RunRecord> Start(DuckDbDestination target) => NewRunner(NewStore(), target).RunAsync(
            new SyncRequest("stepping", new SteppingConnector(1, async _ =>
            {
                Interlocked.Increment(ref entered);
                await gate.Task;
            }), ConnectorConfiguration.Empty),
            CancellationToken.None);

        var first = Start(destination);
        var second = Start(otherDestination);
        var refused = await Task.WhenAny(first, second).WaitAsync(Wait);   // the run that got the lease waits at the gate
        var busy = await Assert.ThrowsAsync<ConnectorBusyException>(() => refused);
        gate.SetResult();
        var ran = await (refused == first ? second : first).WaitAsync(Wait);

        Assert.Equal(1, entered);
        Assert.Equal(RunOutcome.Succeeded, ran.Outcome);
        Assert.Contains("already running", busy.Message, StringComparison.Ordinal);
        Assert.Single(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("stepping", CancellationToken.None)));
    }

    [Fact]
    public async Task RunAsync_LongerThanLeaseDuration_RenewsAndKeepsLease()
    {
        // A 15 s lease renewed every 5 s; the run lasts 24 steps of 5 s = 2 minutes on the run's clock.
        var store = NewStore(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5));
        BlobConnectorLease? lease = null;
        store.LeaseAcquired += acquired => lease = acquired;
        var refusedDuringRun = 0;
        await using var destination = NewDestination();

        var record = await NewRunner(store, destination).RunAsync(
            new SyncRequest("stepping", new SteppingConnector(24, async step =>
            {
                var idle = lease!.IdleCount;
                await lease.WaitForIdleAsync(Math.Max(idle, 1), CancellationToken.None).WaitAsync(Wait);
                _time.Advance(TimeSpan.FromSeconds(5));
                await lease.WaitForIdleAsync(Math.Max(idle, 1) + 1, CancellationToken.None).WaitAsync(Wait);
                if (step == 12)
                {
                    try
                    {
                        await NewStore().AcquireLeaseAsync("stepping", CancellationToken.None);
                    }
                    catch (ConnectorBusyException)
                    {
                        refusedDuringRun++;
                    }
                }
            }), ConnectorConfiguration.Empty),
            CancellationToken.None);

        Assert.Equal(RunOutcome.Succeeded, record.Outcome);
        Assert.Null(record.Error);
        Assert.Equal(24, record.Checkpoints);
        Assert.Equal(24, lease!.RenewalCount);
        Assert.Null(lease.LostReason);
        Assert.Equal(1, refusedDuringRun);
        Assert.Equal(TimeSpan.FromMinutes(2), _time.GetUtcNow() - record.StartedAt);
        Assert.False(await store.IsLeasedAsync("stepping", CancellationToken.None));
        Assert.Equal(24, (await store.ReadAsync("stepping", CancellationToken.None)).State["step"]!.GetValue<int>());
    }

    [Fact]
    public async Task RunAsync_LeaseLost_StopsBeforeNextCommit()
    {
        var store = NewStore(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5));
        BlobConnectorLease? lease = null;
        store.LeaseAcquired += acquired => lease = acquired;
        await using var destination = NewDestination();

        var record = await NewRunner(store, destination).RunAsync(
            new SyncRequest("stepping", new SteppingConnector(5, async step =>
            {
                if (step == 3)
                {
                    // Checkpoints 1 and 2 are saved by now (the connector waits for each). An operator, or another host after
                    // expiry, breaks the lease; the next renewal finds it gone.
                    var container = azurite.CreateBlobServiceClient().GetBlobContainerClient(_container);
                    await container.GetBlobClient("connectors/stepping/lease").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
                    var idle = lease!.IdleCount;
                    _time.Advance(TimeSpan.FromSeconds(5));
                    await lease.WaitForIdleAsync(idle + 1, CancellationToken.None).WaitAsync(Wait);
                }
            }), ConnectorConfiguration.Empty),
            CancellationToken.None);

        Assert.Equal(RunOutcome.Failed, record.Outcome);
        Assert.Contains("lease of connector 'stepping' was lost", record.Error, StringComparison.Ordinal);
        Assert.NotNull(lease!.LostReason);
        Assert.Equal(2, record.Checkpoints);
        Assert.Equal(2, (await store.ReadAsync("stepping", CancellationToken.None)).State["step"]!.GetValue<int>());
    }

    [Fact]
    public async Task ThrowIfLost_RenewalsFailForLeaseDuration_ThrowsBeforeNextCommit()
    {
        // A lease whose service cannot be reached: every renewal fails as a transport error, which alone never marks it lost.
        var unreachable = new BlobClient(
            new Uri($"http://127.0.0.1:{FreePort.Next()}/devstoreaccount1/{_container}/connectors/hello/lease"),
            new BlobClientOptions { Retry = { MaxRetries = 0 } });
        var options = new BlobStateStoreOptions { LeaseDuration = TimeSpan.FromSeconds(15), LeaseRenewalInterval = TimeSpan.FromSeconds(5) };
        var lease = new BlobConnectorLease("hello", unreachable.GetBlobLeaseClient(), options, _time.GetTimestamp(), epoch: 1, _time, NullLogger.Instance);
        await lease.WaitForIdleAsync(1, CancellationToken.None).WaitAsync(Wait);

        for (var renewal = 1; renewal <= 2; renewal++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await lease.WaitForIdleAsync(renewal + 1, CancellationToken.None).WaitAsync(Wait);
            lease.ThrowIfLost();   // 5 s and 10 s without a renewal: still within the lease
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        await lease.WaitForIdleAsync(4, CancellationToken.None).WaitAsync(Wait);
        var lost = Assert.Throws<ConnectorBusyException>(lease.ThrowIfLost);
        await lease.DisposeAsync();

        Assert.Contains("has not been renewed for 15 seconds", lost.Message, StringComparison.Ordinal);
        Assert.Equal(0, lease.RenewalCount);
        Assert.Null(lease.LostReason);
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
}

using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;

namespace Tributary.Runtime.Tests.State;

/// <summary>The one-writer lease: a lock file held open for the run.</summary>
public sealed class FileStateStoreLeaseTests : IDisposable
{
    private const string Connector = "my_connector";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AcquireLeaseAsync_HeldByAnotherStoreOnSameFolder_ThrowsConnectorBusy()
    {
        var first = new FileStateStore(_directory.Path);
        var second = new FileStateStore(_directory.Path);
        await using var held = await first.AcquireLeaseAsync(Connector, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<ConnectorBusyException>(() => second.AcquireLeaseAsync(Connector, CancellationToken.None));

        Assert.Contains($"'{Connector}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireLeaseAsync_HeldBySameStore_ThrowsConnectorBusy()
    {
        var store = new FileStateStore(_directory.Path);
        await using var held = await store.AcquireLeaseAsync(Connector, CancellationToken.None);

        await Assert.ThrowsAsync<ConnectorBusyException>(() => store.AcquireLeaseAsync(Connector, CancellationToken.None));
    }

    [Fact]
    public async Task AcquireLeaseAsync_AfterDispose_CanBeTakenAgain()
    {
        var first = new FileStateStore(_directory.Path);
        var second = new FileStateStore(_directory.Path);
        var held = await first.AcquireLeaseAsync(Connector, CancellationToken.None);
        await held.DisposeAsync();

        await using var again = await second.AcquireLeaseAsync(Connector, CancellationToken.None);

        again.ThrowIfLost();
    }

    [Fact]
    public async Task AcquireLeaseAsync_OtherConnector_Independent()
    {
        var store = new FileStateStore(_directory.Path);
        await using var one = await store.AcquireLeaseAsync("one", CancellationToken.None);

        await using var two = await store.AcquireLeaseAsync("two", CancellationToken.None);

        Assert.NotNull(two);
    }

    [Fact]
    public async Task AcquireLeaseAsync_EachAcquisition_GetsLargerEpoch()
    {
        var epochs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            await using var lease = await new FileStateStore(_directory.Path).AcquireLeaseAsync(Connector, CancellationToken.None);
            epochs.Add(lease.Epoch);
        }

        Assert.Equal([1L, 2L, 3L], epochs);
    }

    [Fact]
    public async Task WriteAsync_EpochBelowLatestAcquisition_IsRefused()
    {
        var store = new FileStateStore(_directory.Path);
        long stale;
        await using (var first = await store.AcquireLeaseAsync(Connector, CancellationToken.None))
        {
            stale = first.Epoch;
        }

        await using var current = await store.AcquireLeaseAsync(Connector, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ConnectorBusyException>(
            () => store.WriteAsync(Connector, new System.Text.Json.Nodes.JsonObject { ["cursor"] = 1 }, null, stale, CancellationToken.None));
        var saved = await store.WriteAsync(Connector, new System.Text.Json.Nodes.JsonObject { ["cursor"] = 2 }, null, current.Epoch, CancellationToken.None);

        Assert.Contains($"epoch {current.Epoch}", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", saved.Version);
        Assert.Equal(2, (await store.ReadAsync(Connector, CancellationToken.None)).State["cursor"]!.GetValue<int>());
    }
}

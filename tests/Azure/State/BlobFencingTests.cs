using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.Azure.Tests.State;

[Collection(AzuriteCollection.Name)]
public sealed class BlobFencingTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _container = "fence-" + Guid.NewGuid().ToString("N")[..12];

    private BlobStateStore NewStore() => new(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container });

    private BlobClient LeaseBlob => azurite.CreateBlobServiceClient().GetBlobContainerClient(_container).GetBlobClient("connectors/hello/lease");

    [Fact]
    public async Task AcquireLeaseAsync_EachAcquisition_GetsLargerEpoch()
    {
        var store = NewStore();
        var epochs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            await using var lease = await store.AcquireLeaseAsync("hello", Ct);
            epochs.Add(lease.Epoch);
        }

        await using (var fromAnotherInstance = await NewStore().AcquireLeaseAsync("hello", Ct))
        {
            epochs.Add(fromAnotherInstance.Epoch);
        }

        Assert.Equal([1L, 2L, 3L, 4L], epochs);
    }

    [Fact]
    public async Task WriteAsync_EpochOfLeaseTakenAgain_IsRefusedAndNewerWriterKeepsState()
    {
        var old = NewStore();
        var current = NewStore();
        var saved = await old.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);
        var lost = await old.AcquireLeaseAsync("hello", Ct);
        await LeaseBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        await using var taken = await current.AcquireLeaseAsync("hello", Ct);

        // The old writer still expects version 1 and even holds its ETag: the stamp of the newer lease alone refuses it.
        var error = await Assert.ThrowsAsync<ConnectorBusyException>(
            () => old.WriteAsync("hello", new JsonObject { ["cursor"] = 99 }, saved.Version, lost.Epoch, Ct));
        var next = await current.WriteAsync("hello", new JsonObject { ["cursor"] = 2 }, saved.Version, taken.Epoch, Ct);

        Assert.Contains($"epoch {taken.Epoch}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"epoch {lost.Epoch}", error.Message, StringComparison.Ordinal);
        Assert.Equal("2", next.Version);
        Assert.Equal(2, (await NewStore().ReadAsync("hello", Ct)).State["cursor"]!.GetValue<int>());
        await lost.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_FirstWriteOfFencedWriter_IsRefusedEvenWithNoStateYet()
    {
        var old = NewStore();
        var lost = await old.AcquireLeaseAsync("hello", Ct);
        await LeaseBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        await using var taken = await NewStore().AcquireLeaseAsync("hello", Ct);

        await Assert.ThrowsAsync<ConnectorBusyException>(() => old.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, lost.Epoch, Ct));

        var read = await NewStore().ReadAsync("hello", Ct);
        Assert.Null(read.Version);
        Assert.Empty(read.State);
        await lost.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_CurrentEpochAndUnfencedTool_BothSave()
    {
        var store = NewStore();
        await using var lease = await store.AcquireLeaseAsync("hello", Ct);

        var fenced = await store.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, lease.Epoch, Ct);
        var again = await store.WriteAsync("hello", new JsonObject { ["cursor"] = 2 }, fenced.Version, lease.Epoch, Ct);
        var rolledBack = await NewStore().RollbackAsync("hello", "1", Ct);

        Assert.Equal(("1", "2", "3"), (fenced.Version, again.Version, rolledBack.Version));
        Assert.Equal(["3", "2", "1"], (await BlobStateStoreTests.ToListAsync(store.HistoryAsync("hello", Ct))).Select(s => s.Version));
    }
}

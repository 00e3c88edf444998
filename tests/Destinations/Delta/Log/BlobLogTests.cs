using Azure.Storage.Blobs;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests.Log;

// AzuriteFixture is qualified: Tributary.Testing also has Delta types (the independent reader's) named like the log's.
[Collection(LogAzuriteCollection.Name)]
public sealed class BlobLogTests(Tributary.Testing.AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient("lake-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync(cancellationToken: Ct);
        return container;
    }

    [Fact]
    public async Task TryCreateAsync_ExistingBlob_ReturnsFalseAndKeepsTheFirstContent()
    {
        using var storage = new BlobLakeStorage(await NewContainerAsync());

        await StorageBehaviour.ExclusiveCreateAsync(storage, Ct);
    }

    [Fact]
    public async Task TryCreateAsync_RacingWriters_ExactlyOneWinsEveryRound()
    {
        using var storage = new BlobLakeStorage(await NewContainerAsync());

        await StorageBehaviour.RacingCreatesAsync(storage, rounds: 30, Ct);
    }

    [Fact]
    public async Task Storage_ListReadDeleteAndLocalCopies_BehaveAsInAFolder()
    {
        string copy;
        using (var storage = new BlobLakeStorage(await NewContainerAsync()))
        {
            await StorageBehaviour.FilesAsync(storage, Ct);
            await storage.WriteAsync("x/y.parquet", "z"u8.ToArray(), Ct);
            copy = await storage.LocalPathAsync("x/y.parquet", Ct);
        }

        Assert.False(File.Exists(copy));
    }

    [Fact]
    public async Task CommitAsync_TwoWritersOnOneVersionInAContainer_ExactlyOneWinsAndTheOtherSucceedsAfterRefresh()
    {
        using var storage = new BlobLakeStorage(await NewContainerAsync());

        await LogRace.RunAsync(storage, "conn/items", Ct);
    }

    [Fact]
    public async Task LoadAsync_CheckpointInAContainer_IsWrittenAndReadWithoutTheEarlierCommits()
    {
        var container = await NewContainerAsync();
        using var storage = new BlobLakeStorage(container);
        var log = new DeltaTableLog(storage, "conn/items");
        var snapshot = await log.CommitAsync(null, LogSamples.Create(LogSamples.Add("f0")), Ct);
        for (var version = 1; version <= 11; version++)
        {
            snapshot = await log.CommitAsync(snapshot, LogSamples.Write(LogSamples.Add($"f{version}")), Ct);
        }

        for (var version = 0; version <= 10; version++)
        {
            await storage.DeleteAsync($"conn/items/_delta_log/{version:D20}.json", Ct);
        }

        var loaded = await new DeltaTableLog(storage, "conn/items").LoadAsync(Ct);

        Assert.NotNull(await storage.ReadAsync("conn/items/_delta_log/_last_checkpoint", Ct));
        Assert.Equal(11, loaded!.Version);
        Assert.Equal(snapshot.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal), loaded.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }
}

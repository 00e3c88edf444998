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

    [Fact]
    public async Task CleanUpLogAsync_ManyVersionsInAContainer_KeepsTheNewestExpiredCheckpointAndAllAfterAndReadsTheSame()
    {
        var container = await NewContainerAsync();
        using var storage = new BlobLakeStorage(container);
        // The service dates each blob, so the clock moves instead: first to now, then 32 days on.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var log = new DeltaTableLog(storage, "conn/items", time);
        var snapshots = await LogCleanupTests.CommitVersionsAsync(log, 24);
        var all = await storage.ListAsync("conn/items/_delta_log", Ct).Select(file => file.Path).Order(StringComparer.Ordinal).ToListAsync(Ct);

        var early = await log.CleanUpLogAsync(snapshots[^1], TimeSpan.FromDays(7), Ct);
        time.Advance(TimeSpan.FromDays(32));
        var late = await log.CleanUpLogAsync(snapshots[^1], TimeSpan.FromDays(7), Ct);

        Assert.Empty(early.Deleted);
        Assert.Equal(20, late.KeptFrom);
        var left = await storage.ListAsync("conn/items/_delta_log", Ct).Select(file => file.Path).Order(StringComparer.Ordinal).ToListAsync(Ct);
        Assert.Equal(all.Where(path => !path.EndsWith("_last_checkpoint", StringComparison.Ordinal) && string.CompareOrdinal(path, "conn/items/_delta_log/00000000000000000020") < 0), late.Deleted.Select(file => file.Path));
        Assert.Equal(all.Except(late.Deleted.Select(file => file.Path)), left);
        var loaded = await new DeltaTableLog(storage, "conn/items").LoadAsync(Ct);
        Assert.Equal(24, loaded!.Version);
        Assert.Equal(snapshots[^1].Files.OrderBy(pair => pair.Key, StringComparer.Ordinal), loaded.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal));

        // The independent reader, over a copy of the container.
        var copy = Directory.CreateTempSubdirectory("tributary-delta-cleanup-copy-");
        try
        {
            foreach (var path in left)
            {
                var local = Path.Combine(copy.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                await storage.DownloadFileAsync(path, local, Ct);
            }

            var table = Path.Combine(copy.FullName, "conn", "items");
            var independent = await Tributary.Testing.DeltaLogReader.ReadAsync(table, Ct);
            Assert.Equal(24, independent.Version);
            Assert.Equal(snapshots[^1].Files.Keys.Order(StringComparer.Ordinal), independent.Files.Select(file => file.Path));
            var past = await Tributary.Testing.DeltaLogReader.ReadAsync(table, 20, useCheckpoints: true, Ct);
            Assert.Equal(snapshots[20].Files.Keys.Order(StringComparer.Ordinal), past.Files.Select(file => file.Path));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}

using System.Text;
using Azure.Storage.Blobs;
using Tributary.Destinations.Delta.Storage;
using Tributary.Testing;

namespace Tributary.Destinations.Delta.Tests.Log;

[Collection(LogAzuriteCollection.Name)]
public sealed class BlobLogTests(AzuriteFixture azurite)
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

        var first = await storage.TryCreateAsync("s/t/_delta_log/00000000000000000000.json", "first"u8.ToArray(), Ct);
        var second = await storage.TryCreateAsync("s/t/_delta_log/00000000000000000000.json", "second"u8.ToArray(), Ct);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal("first", Encoding.UTF8.GetString((await storage.ReadAsync("s/t/_delta_log/00000000000000000000.json", Ct))!));
    }

    [Fact]
    public async Task Storage_ListReadDeleteAndLocalCopies_BehaveAsInAFolder()
    {
        var container = await NewContainerAsync();
        var local = Path.GetTempFileName();
        string copy;
        using (var storage = new BlobLakeStorage(container))
        {
            await File.WriteAllTextAsync(local, "parquet bytes", Ct);
            await storage.UploadFileAsync("s/t/a.parquet", local, Ct);
            await storage.WriteAsync("s/t/_delta_log/_last_checkpoint", "{}"u8.ToArray(), Ct);
            await storage.WriteAsync("s/t2/b.parquet", "other table"u8.ToArray(), Ct);

            var listed = await storage.ListAsync("s/t", Ct).ToListAsync(Ct);
            Assert.Equal(["s/t/_delta_log/_last_checkpoint", "s/t/a.parquet"], listed.Select(file => file.Path).Order(StringComparer.Ordinal));
            Assert.Equal(13, Assert.Single(listed, file => file.Path == "s/t/a.parquet").Size);
            Assert.Null(await storage.ReadAsync("s/t/missing.json", Ct));
            await Assert.ThrowsAsync<FileNotFoundException>(() => storage.DownloadFileAsync("s/t/missing.parquet", local, Ct));

            copy = await storage.LocalPathAsync("s/t/a.parquet", Ct);
            Assert.Equal("parquet bytes", await File.ReadAllTextAsync(copy, Ct));

            await storage.DeletePrefixAsync("s/t", Ct);
            await storage.DeleteAsync("s/t/a.parquet", Ct);
            Assert.Empty(await storage.ListAsync("s/t", Ct).ToListAsync(Ct));
            Assert.Single(await storage.ListAsync("", Ct).ToListAsync(Ct));
        }

        File.Delete(local);
        Assert.False(File.Exists(copy));
    }

    [Fact]
    public async Task CommitAsync_TwoWritersOnOneVersionInAContainer_ExactlyOneWinsAndTheOtherSucceedsAfterRefresh()
    {
        using var storage = new BlobLakeStorage(await NewContainerAsync());

        await LogRace.RunAsync(storage, "conn/items", Ct);
    }
}

using Azure.Storage.Blobs;
using Tributary.Testing;
using static Tributary.Destinations.Delta.Tests.Reading.HandMadeTable;

namespace Tributary.Destinations.Delta.Tests.Reading;

public sealed class DeltaWarehouseReaderBlobTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly HandColumn[] IdName = [new("id", "long", false), new("name", "string")];

    private readonly string _lake = Directory.CreateTempSubdirectory("tributary-delta-reading-").FullName;

    public void Dispose() => Directory.Delete(_lake, recursive: true);

    [Fact]
    public async Task RowsAsync_ContainerChangesBetweenCalls_ReadsEachCallsState()
    {
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient("lake-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync();
        var table = new HandMadeTable(_lake, "conn", "items");
        var a = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "a.parquet");
        var b = await table.AddFileAsync("SELECT 2::BIGINT AS id, 'two' AS name", "b.parquet");
        table.Commit(0, Protocol(), Metadata(["id"], IdName), a);
        await UploadAsync(container);
        using var reader = new DeltaWarehouseReader(container);

        var first = await reader.RowsAsync("SELECT id, name FROM \"conn\".\"items\" ORDER BY id", default);
        table.Commit(1, Remove("a.parquet"), b);
        await UploadAsync(container);
        await container.DeleteBlobAsync("conn/items/a.parquet");
        var second = await reader.RowsAsync("SELECT id, name FROM \"conn\".\"items\" ORDER BY id", default);
        var tables = await reader.TablesAsync("conn", default);
        var key = await reader.PrimaryKeyAsync("conn", "items", default);
        await foreach (var blob in container.GetBlobsAsync())
        {
            await container.DeleteBlobAsync(blob.Name);
        }

        var exists = await reader.SchemaExistsAsync("conn", default);

        Assert.Equal([[1L, "one"]], first);
        Assert.Equal([[2L, "two"]], second);
        Assert.Equal(["items"], tables);
        Assert.Equal(["id"], key);
        Assert.False(exists);
        Assert.False(File.Exists(Path.Combine(reader.Root, "conn", "items", "b.parquet")));
    }

    [Fact]
    public async Task SchemaExistsAsync_ContainerMissing_IsFalse()
    {
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient("absent-" + Guid.NewGuid().ToString("N")[..12]);
        using var reader = new DeltaWarehouseReader(container);

        Assert.False(await reader.SchemaExistsAsync("conn", default));
        Assert.Empty(await reader.TablesAsync("conn", default));
    }

    [Fact]
    public void Dispose_Reader_DeletesItsMirror()
    {
        var reader = new DeltaWarehouseReader(azurite.CreateBlobServiceClient().GetBlobContainerClient("unused"));
        Assert.True(Directory.Exists(reader.Root));

        reader.Dispose();

        Assert.False(Directory.Exists(reader.Root));
    }

    private async Task UploadAsync(BlobContainerClient container)
    {
        foreach (var file in Directory.EnumerateFiles(_lake, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(_lake, file).Replace(Path.DirectorySeparatorChar, '/');
            await container.GetBlobClient(name).UploadAsync(file, overwrite: true);
        }
    }
}

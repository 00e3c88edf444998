using Tributary.Testing;
using static Tributary.Destinations.Delta.Tests.Reading.HandMadeTable;

namespace Tributary.Destinations.Delta.Tests.Reading;

public sealed class DeltaLogReaderTests : IDisposable
{
    private static readonly HandColumn[] IdName = [new("id", "long", false), new("name", "string")];

    private readonly string _lake = Directory.CreateTempSubdirectory("tributary-delta-reading-").FullName;

    public void Dispose() => Directory.Delete(_lake, recursive: true);

    [Fact]
    public async Task ReadAsync_AddsThenRemoves_KeepsOnlyTheFilesNotRemoved()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "a.parquet");
        var b = await table.AddFileAsync("SELECT 2::BIGINT AS id, 'two' AS name", "b.parquet");
        var c = await table.AddFileAsync("SELECT 3::BIGINT AS id, 'three' AS name", "c.parquet");
        table.Commit(0, CommitInfo(), Protocol(), Metadata(["id"], IdName), a, b);
        table.Commit(1, CommitInfo(), Remove("a.parquet"), c);
        table.Commit(2, CommitInfo(), Remove("c.parquet"));

        var snapshot = await DeltaLogReader.ReadAsync(table.Folder, default);

        Assert.Equal(2, snapshot.Version);
        Assert.Null(snapshot.CheckpointVersion);
        Assert.Equal(["b.parquet"], snapshot.Files.Select(f => f.Path));
        Assert.Equal(Path.Combine(table.Folder, "b.parquet"), snapshot.Files.Single().FullPath);
        Assert.Equal(["a.parquet", "c.parquet"], snapshot.Tombstones.Select(r => r.Path));
        Assert.Equal(["id long False", "name string True"], snapshot.Metadata.Fields.Select(f => $"{f.Name} {f.Type} {f.Nullable}"));
        Assert.Equal((1, 2), (snapshot.Protocol.MinReaderVersion, snapshot.Protocol.MinWriterVersion));
    }

    [Fact]
    public async Task ReadAsync_FileRemovedThenAddedAgain_IsActive()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "a.parquet");
        table.Commit(0, Protocol(), Metadata(["id"], IdName), a);
        table.Commit(1, Remove("a.parquet"));
        table.Commit(2, a);

        var snapshot = await DeltaLogReader.ReadAsync(table.Folder, default);

        Assert.Equal(["a.parquet"], snapshot.Files.Select(f => f.Path));
        Assert.Equal(2, snapshot.Files.Single().Version);
        Assert.Empty(snapshot.Tombstones);
    }

    [Fact]
    public async Task ReadAsync_EncodedPathAndEncodedRemove_DecodesBoth()
    {
        var table = new HandMadeTable(_lake);
        var spaced = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "with space#1.parquet");
        table.Commit(0, Protocol(), Metadata(["id"], IdName), spaced);

        var before = await DeltaLogReader.ReadAsync(table.Folder, default);
        table.Commit(1, Remove("with%20space%231.parquet"));
        var after = await DeltaLogReader.ReadAsync(table.Folder, default);

        Assert.Equal("with%20space%231.parquet", before.Files.Single().Path);
        Assert.Equal(Path.Combine(table.Folder, "with space#1.parquet"), before.Files.Single().FullPath);
        Assert.True(File.Exists(before.Files.Single().FullPath));
        Assert.Empty(after.Files);
    }

    [Fact]
    public async Task ReadAsync_CheckpointAndLaterCommits_StartsFromTheCheckpoint()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "a.parquet");
        var b = await table.AddFileAsync("SELECT 2::BIGINT AS id, 'two' AS name", "b.parquet");
        var c = await table.AddFileAsync("SELECT 3::BIGINT AS id, 'three' AS name", "c.parquet");
        var d = await table.AddFileAsync("SELECT 4::BIGINT AS id, 'four' AS name", "d.parquet");
        table.Commit(0, Protocol(), Metadata(["id"], IdName), a, b);
        table.Commit(1, Remove("a.parquet"), c);
        await table.CheckpointAsync(1, Protocol(), Metadata(["id"], IdName), b, c, Remove("a.parquet"));
        table.Commit(2, Remove("b.parquet"), d);

        // The commits the checkpoint covers are gone: only the checkpoint can tell what they did.
        File.Delete(Path.Combine(table.LogFolder, HandMadeTable.Log(0) + ".json"));
        File.Delete(Path.Combine(table.LogFolder, HandMadeTable.Log(1) + ".json"));
        var snapshot = await DeltaLogReader.ReadAsync(table.Folder, default);

        Assert.Equal(2, snapshot.Version);
        Assert.Equal(1, snapshot.CheckpointVersion);
        Assert.Equal(["c.parquet", "d.parquet"], snapshot.Files.Select(f => f.Path));
        Assert.Equal([1L, 2L], snapshot.Files.Select(f => f.Version));
        Assert.Equal(["a.parquet", "b.parquet"], snapshot.Tombstones.Select(r => r.Path));
        Assert.Equal("6c3b3bd4-7b7e-4e0c-9d0c-4a3e5f1c2b10", snapshot.Metadata.Id);
    }

    [Fact]
    public async Task ReadAsync_CheckpointWithoutCheckpoints_EqualsTheJsonReplay()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "a.parquet", Stats(1, 1, "one"));
        var b = await table.AddFileAsync("SELECT 2::BIGINT AS id, 'two' AS name", "b.parquet", Stats(2, 2, "two"));
        table.Commit(0, Protocol(), Metadata(["id"], IdName), a, b);
        table.Commit(1, Remove("a.parquet"));
        await table.CheckpointAsync(1, Protocol(), Metadata(["id"], IdName), b, Remove("a.parquet"));

        var fromCheckpoint = await DeltaLogReader.ReadCheckpointAsync(table.Folder, 1, default);
        var fromJson = await DeltaLogReader.ReadAsync(table.Folder, version: null, useCheckpoints: false, default);

        Assert.Null(fromJson.CheckpointVersion);
        Assert.Equal(fromJson.Files.Select(f => (f.Path, f.Size, f.StatsJson)), fromCheckpoint.Files.Select(f => (f.Path, f.Size, f.StatsJson)));
        Assert.Equal(2, fromCheckpoint.Files.Single().Stats!.MaxValues!.Value.GetProperty("id").GetInt64());
        Assert.Equal(fromJson.Metadata.SchemaString, fromCheckpoint.Metadata.SchemaString);
        Assert.Equal(fromJson.Metadata.Configuration, fromCheckpoint.Metadata.Configuration);
    }

    [Fact]
    public async Task ReadAsync_EarlierVersion_ReplaysOnlyUpToIt()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync("SELECT 1::BIGINT AS id, 'one' AS name", "a.parquet");
        table.Commit(0, Protocol(), Metadata(["id"], IdName), a);
        table.Commit(1, Remove("a.parquet"));

        var snapshot = await DeltaLogReader.ReadAsync(table.Folder, version: 0, useCheckpoints: true, default);

        Assert.Equal(0, snapshot.Version);
        Assert.Equal(["a.parquet"], snapshot.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task ReadAsync_MissingVersion_ThrowsNamingIt()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], IdName));
        table.Commit(1, CommitInfo());
        table.Commit(3, CommitInfo());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DeltaLogReader.ReadAsync(table.Folder, default));

        Assert.Contains("no version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(HandMadeTable.Log(2) + ".json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MalformedLine_ThrowsNamingFileAndLine()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], IdName));
        table.Commit(1, CommitInfo(), "{\"add\":{\"path\":\"x.parquet\",");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DeltaLogReader.ReadAsync(table.Folder, default));

        Assert.Contains(HandMadeTable.Log(1) + ".json line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NoMetadata_ThrowsNamingIt()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DeltaLogReader.ReadAsync(table.Folder, default));

        Assert.Contains("no metaData", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NotATable_ThrowsNamingTheFolder()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DeltaLogReader.ReadAsync(_lake, default));

        Assert.Contains("_delta_log", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MalformedStats_ThrowsNamingTheFile()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], IdName), Add("a.parquet", 10, stats: "{\"numRecords\":"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DeltaLogReader.ReadAsync(table.Folder, default));

        Assert.Contains("stats of a.parquet", error.Message, StringComparison.Ordinal);
    }

    internal static string Stats(long id, long count, string name) =>
        $"{{\"numRecords\":{count},\"minValues\":{{\"id\":{id},\"name\":\"{name}\"}},\"maxValues\":{{\"id\":{id},\"name\":\"{name}\"}},\"nullCount\":{{\"id\":0,\"name\":0}}}}";
}

using System.Text;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests.Log;

public sealed class FolderLogTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("tributary-delta-log-");

    private FolderLakeStorage Storage => new(_root.FullName);

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task TryCreateAsync_ExistingFile_ReturnsFalseAndKeepsTheFirstContent()
    {
        await StorageBehaviour.ExclusiveCreateAsync(Storage, Ct);
    }

    [Fact]
    public async Task TryCreateAsync_RacingWriters_ExactlyOneWinsEveryRound()
    {
        await StorageBehaviour.RacingCreatesAsync(Storage, rounds: 500, Ct);
    }

    [Fact]
    public async Task Storage_ListReadDeleteAndLocalPaths_BehaveAsInAContainer()
    {
        await StorageBehaviour.FilesAsync(Storage, Ct);
    }

    [Fact]
    public async Task LoadAsync_NoLog_ReturnsNull()
    {
        Assert.Null(await new DeltaTableLog(Storage, "conn/items").LoadAsync(Ct));
    }

    [Fact]
    public async Task CommitAsync_ThenLoad_GivesTheSameSnapshot()
    {
        var log = new DeltaTableLog(Storage, "conn/items");
        var created = await log.CommitAsync(null, LogSamples.Create(LogSamples.Add("a")), Ct);
        var written = await log.CommitAsync(created, LogSamples.Write(LogSamples.Add("b", 200)), Ct);

        var loaded = await new DeltaTableLog(Storage, "conn/items").LoadAsync(Ct);

        Assert.NotNull(loaded);
        Assert.Equal(1, written.Version);
        Assert.Equal(1, loaded.Version);
        Assert.Equal(LogSamples.Protocol, loaded.Protocol);
        Assert.Equal(LogSamples.Schema, loaded.Metadata.SchemaString);
        Assert.Equal("""["id"]""", loaded.Metadata.Configuration["tributary.primaryKey"]);
        Assert.Equal(1_700_000_000_000, loaded.Metadata.CreatedTime);
        Assert.Equal(written.Files.OrderBy(f => f.Key), loaded.Files.OrderBy(f => f.Key));
        Assert.Equal(["a.parquet", "b.parquet"], loaded.Files.Keys.Order());
    }

    [Fact]
    public async Task CommitAsync_WritesCommitInfoFirstThenProtocolMetadataAndAdds()
    {
        var log = new DeltaTableLog(Storage, "conn/items");
        await log.CommitAsync(null, LogSamples.Create(LogSamples.Add("a")), Ct);

        var lines = File.ReadAllLines(Path.Combine(_root.FullName, "conn/items/_delta_log/00000000000000000000.json"), Encoding.UTF8);

        Assert.Equal(4, lines.Length);
        Assert.StartsWith("""{"commitInfo":{"timestamp":""", lines[0], StringComparison.Ordinal);
        Assert.Contains($"\"engineInfo\":\"{DeltaTableLog.Engine}\"", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Tributary/", DeltaTableLog.Engine, StringComparison.Ordinal);
        Assert.Equal("""{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}""", lines[1]);
        Assert.StartsWith("""{"metaData":{"id":"5f1e3b52-3e5c-4d57-9a39-2e8f64b1f6a1","format":{"provider":"parquet","options":{}},"schemaString":""", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("""{"add":{"path":"a.parquet","partitionValues":{},"size":100,""", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitAsync_VersionZeroWithoutProtocolOrMetadata_IsRefusedWithClearMessage()
    {
        var log = new DeltaTableLog(Storage, "conn/items");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => log.CommitAsync(null, LogSamples.Write(LogSamples.Add("a")), Ct));
        var noMetadata = await Assert.ThrowsAsync<ArgumentException>(
            () => log.CommitAsync(null, new DeltaCommit("WRITE", LogSamples.Protocol, null, [], []), Ct));

        Assert.Contains("Version 0 of the Delta table 'conn/items'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no protocol and metaData actions", error.Message, StringComparison.Ordinal);
        Assert.Contains("no metaData action", noMetadata.Message, StringComparison.Ordinal);
        Assert.Null(await log.LoadAsync(Ct));
    }

    [Fact]
    public async Task CommitAsync_RemoveActions_DropFilesFromSnapshotAndLeaveTombstones()
    {
        var log = new DeltaTableLog(Storage, "conn/items");
        var created = await log.CommitAsync(null, LogSamples.Create(LogSamples.Add("a"), LogSamples.Add("b")), Ct);
        await log.CommitAsync(
            created,
            new DeltaCommit("MERGE", null, null, [LogSamples.Add("c")], [new RemoveFile("a.parquet", 1_700_000_100_000, true, 100)]),
            Ct);

        var loaded = await new DeltaTableLog(Storage, "conn/items").LoadAsync(Ct);

        Assert.NotNull(loaded);
        Assert.Equal(["b.parquet", "c.parquet"], loaded.Files.Keys.Order());
        Assert.Equal(new RemoveFile("a.parquet", 1_700_000_100_000, true, 100), Assert.Single(loaded.Tombstones).Value);
    }

    [Fact]
    public async Task CommitAsync_TwoWritersOnOneVersion_ExactlyOneWinsAndTheOtherSucceedsAfterRefresh()
    {
        await LogRace.RunAsync(Storage, "conn/items", Ct);
    }

    [Fact]
    public async Task LoadAsync_TableNeedsDeletionVectors_IsRefusedNamingTheFeature()
    {
        var log = Path.Combine(_root.FullName, "conn", "items", "_delta_log");
        Directory.CreateDirectory(log);
        await File.WriteAllLinesAsync(Path.Combine(log, "00000000000000000000.json"),
        [
            """{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}""",
            """{"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{}","partitionColumns":[],"configuration":{}}}""",
        ], Ct);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => new DeltaTableLog(Storage, "conn/items").LoadAsync(Ct));

        Assert.Contains("'conn/items' needs deletionVectors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitAsync_TwoAddsForOnePath_IsRefusedBeforeAnythingIsWritten()
    {
        var log = new DeltaTableLog(Storage, "conn/items");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => log.CommitAsync(null, LogSamples.Create(LogSamples.Add("a"), LogSamples.Add("a")), Ct));

        Assert.Contains("two add actions for 'a.parquet'", error.Message, StringComparison.Ordinal);
        Assert.Null(await log.LoadAsync(Ct));
    }

    [Fact]
    public async Task CommitAsync_RemoveFromAppendOnlyTable_IsRefused()
    {
        var log = new DeltaTableLog(Storage, "conn/items");
        var metadata = LogSamples.Metadata() with { Configuration = new Dictionary<string, string> { ["delta.appendOnly"] = "true" } };
        var created = await log.CommitAsync(null, new DeltaCommit("CREATE TABLE", LogSamples.Protocol, metadata, [LogSamples.Add("a")], []), Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => log.CommitAsync(created, new DeltaCommit("DELETE", null, null, [], [new RemoveFile("a.parquet", 1, true)]), Ct));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_NothingNew_ReturnsTheKnownSnapshot()
    {
        var log = new DeltaTableLog(Storage, "conn/items");
        var created = await log.CommitAsync(null, LogSamples.Create(LogSamples.Add("a")), Ct);

        Assert.Same(created, await log.RefreshAsync(created, Ct));
    }
}

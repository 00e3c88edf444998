using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests.Log;

public sealed class CheckpointTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DeltaProtocol NtzProtocol = new(3, 7, ["timestampNtz"], ["timestampNtz"]);
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("tributary-delta-checkpoint-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _root.Delete(recursive: true);

    private string LogFile(string name) => Path.Combine(_root.FullName, "conn", "items", "_delta_log", name);

    /// <summary>Versions 0..<paramref name="last"/>: each adds a file, every third also removes the previous one.</summary>
    private async Task<DeltaSnapshot> CommitVersionsAsync(ILakeStorage storage, int last)
    {
        var log = new DeltaTableLog(storage, "conn/items", _time);
        var snapshot = await log.CommitAsync(
            null, new DeltaCommit("CREATE TABLE", NtzProtocol, LogSamples.Metadata(), [LogSamples.Add("f0")], []), Ct);
        for (var version = 1; version <= last; version++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            IReadOnlyList<RemoveFile> removes = version % 3 == 0
                ? [new RemoveFile($"f{version - 1}.parquet", _time.GetUtcNow().ToUnixTimeMilliseconds(), true, 100)]
                : [];
            snapshot = await log.CommitAsync(snapshot, new DeltaCommit("MERGE", null, null, [LogSamples.Add($"f{version}", 100 + version)], removes), Ct);
        }

        return snapshot;
    }

    private static void AssertSame(DeltaSnapshot expected, DeltaSnapshot? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Protocol.MinReaderVersion, actual.Protocol.MinReaderVersion);
        Assert.Equal(expected.Protocol.MinWriterVersion, actual.Protocol.MinWriterVersion);
        Assert.Equal(expected.Protocol.ReaderFeatures, actual.Protocol.ReaderFeatures);
        Assert.Equal(expected.Protocol.WriterFeatures, actual.Protocol.WriterFeatures);
        Assert.Equal(expected.Metadata.Id, actual.Metadata.Id);
        Assert.Equal(expected.Metadata.SchemaString, actual.Metadata.SchemaString);
        Assert.Equal(expected.Metadata.PartitionColumns, actual.Metadata.PartitionColumns);
        Assert.Equal(expected.Metadata.Configuration.OrderBy(pair => pair.Key), actual.Metadata.Configuration.OrderBy(pair => pair.Key));
        Assert.Equal(expected.Metadata.CreatedTime, actual.Metadata.CreatedTime);
        Assert.Equal(expected.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal), actual.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Tombstones.OrderBy(pair => pair.Key, StringComparer.Ordinal), actual.Tombstones.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task CommitAsync_VersionTen_WritesCheckpointThatLoadAsyncUsesInsteadOfTheEarlierCommits()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var committed = await CommitVersionsAsync(storage, 12);

        var pointer = JsonDocument.Parse(File.ReadAllBytes(LogFile("_last_checkpoint"))).RootElement;
        var replayed = await new DeltaTableLog(storage, "conn/items", _time).LoadAsync(Ct);
        for (var version = 0; version <= 10; version++)
        {
            File.Delete(LogFile($"{version:D20}.json"));
        }

        var fromCheckpoint = await new DeltaTableLog(storage, "conn/items", _time).LoadAsync(Ct);

        Assert.True(File.Exists(LogFile("00000000000000000010.checkpoint.parquet")));
        Assert.Equal(10, pointer.GetProperty("version").GetInt64());
        Assert.Equal(2 + 8 + 3, pointer.GetProperty("size").GetInt64()); // protocol, metaData, 8 files, 3 tombstones at version 10
        Assert.Equal(12, committed.Version);
        Assert.Equal(9, committed.Files.Count);
        Assert.Equal(4, committed.Tombstones.Count);
        AssertSame(committed, replayed);
        AssertSame(committed, fromCheckpoint);
    }

    [Fact]
    public async Task CommitAsync_VersionTen_CheckpointHasTheProtocolsColumnsAndOneActionPerRow()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        await CommitVersionsAsync(storage, 10);

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var file = LogFile("00000000000000000010.checkpoint.parquet").Replace("'", "''", StringComparison.Ordinal);
        command.CommandText =
            "SELECT string_agg(name, ',' ORDER BY name) FROM (SELECT DISTINCT name FROM parquet_schema('" + file + "') WHERE name IN ('txn','add','remove','metaData','protocol'));";
        var columns = (string)command.ExecuteScalar()!;
        command.CommandText =
            "SELECT count(*) FILTER (WHERE converted_type = 'MAP'), count(*) FILTER (WHERE converted_type = 'LIST'), " +
            "count(*) FILTER (WHERE name IN ('minReaderVersion', 'minWriterVersion') AND type = 'INT32') FROM parquet_schema('" + file + "')";
        using (var schema = command.ExecuteReader())
        {
            Assert.True(schema.Read());
            Assert.Equal(5L, schema.GetInt64(0)); // add.partitionValues, add.tags, remove.partitionValues, metaData.format.options, metaData.configuration
            Assert.Equal(3L, schema.GetInt64(1)); // metaData.partitionColumns, protocol.readerFeatures, protocol.writerFeatures
            Assert.Equal(2L, schema.GetInt64(2));
        }

        command.CommandText =
            $"SELECT count(\"add\"), count(remove), count(metaData), count(protocol), count(txn), max(protocol.minWriterVersion), " +
            $"max(list_aggregate(protocol.writerFeatures, 'string_agg', ',')), max(metaData.configuration['tributary.primaryKey']), " +
            $"count(*) FILTER (WHERE (\"add\" IS NOT NULL)::INT + (remove IS NOT NULL)::INT + (metaData IS NOT NULL)::INT + (protocol IS NOT NULL)::INT <> 1) " +
            $"FROM read_parquet('{file}')";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());

        Assert.Equal("add,metaData,protocol,remove,txn", columns);
        Assert.Equal(8L, reader.GetInt64(0));
        Assert.Equal(3L, reader.GetInt64(1));
        Assert.Equal(1L, reader.GetInt64(2));
        Assert.Equal(1L, reader.GetInt64(3));
        Assert.Equal(0L, reader.GetInt64(4));
        Assert.Equal(7, reader.GetInt32(5));
        Assert.Equal("timestampNtz", reader.GetString(6));
        Assert.Equal("""["id"]""", reader.GetString(7));
        Assert.Equal(0L, reader.GetInt64(8));
    }

    [Fact]
    public async Task CommitAsync_TombstoneOlderThanRetention_IsLeftOutOfTheCheckpoint()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var log = new DeltaTableLog(storage, "conn/items", _time);
        var snapshot = await CommitVersionsAsync(storage, 9);
        Assert.Equal(3, snapshot.Tombstones.Count);
        _time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1.5)); // the cutoff falls between versions 6 and 9

        // The tombstones of versions 3 and 6 are older than a week now; the one of version 9 is not.
        snapshot = await log.CommitAsync(snapshot, LogSamples.Write(LogSamples.Add("f10")), Ct);
        for (var version = 0; version <= 10; version++)
        {
            File.Delete(LogFile($"{version:D20}.json"));
        }

        var loaded = await new DeltaTableLog(storage, "conn/items", _time).LoadAsync(Ct);

        Assert.Equal(10, loaded!.Version);
        Assert.Equal(["f8.parquet"], loaded.Tombstones.Keys);
        Assert.Equal(snapshot.Files.Keys.Order(), loaded.Files.Keys.Order());
    }

    [Fact]
    public async Task CommitAsync_CheckpointCannotBeWritten_CommitStillSucceeds()
    {
        var storage = new RefusingCheckpoints(new FolderLakeStorage(_root.FullName));

        var committed = await CommitVersionsAsync(storage, 11);
        var loaded = await new DeltaTableLog(storage, "conn/items", _time).LoadAsync(Ct);

        Assert.Equal(1, storage.Refused);
        Assert.False(File.Exists(LogFile("00000000000000000010.checkpoint.parquet")));
        AssertSame(committed, loaded);
    }

    [Fact]
    public async Task LoadAsync_CheckpointUnreadable_ReplaysTheJsonCommits()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var committed = await CommitVersionsAsync(storage, 11);
        File.WriteAllText(LogFile("00000000000000000010.checkpoint.parquet"), "not parquet");

        var loaded = await new DeltaTableLog(storage, "conn/items", _time).LoadAsync(Ct);

        AssertSame(committed, loaded);
    }

    [Fact]
    public async Task LoadAsync_EarlyCommitsGoneAndNoCheckpoint_FailsNamingTheGap()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        await CommitVersionsAsync(storage, 3);
        File.Delete(LogFile("00000000000000000000.json"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new DeltaTableLog(storage, "conn/items", _time).LoadAsync(Ct));

        Assert.Contains("starts at version 1 and has no readable checkpoint", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A storage whose checkpoint uploads fail, as a full disk or a dropped connection would.</summary>
    private sealed class RefusingCheckpoints(ILakeStorage inner) : DelegatingLakeStorage(inner)
    {
        public int Refused { get; private set; }

        public override Task UploadFileAsync(string path, string localFile, CancellationToken cancellationToken)
        {
            if (path.EndsWith(".checkpoint.parquet", StringComparison.Ordinal))
            {
                Refused++;
                throw new IOException("No space left on device.");
            }

            return Inner.UploadFileAsync(path, localFile, cancellationToken);
        }
    }
}

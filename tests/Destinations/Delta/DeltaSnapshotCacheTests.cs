using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.Delta.Log;
using Xunit.Abstractions;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// The snapshot cache destinations of one process share, and the work each run does: a run (a new destination) starts from
/// the cached snapshot, finds a schema's tables by its folders, and never serves a table another destination dropped and
/// created again.
/// </summary>
public sealed class DeltaSnapshotCacheTests(ITestOutputHelper output) : IAsyncDisposable
{
    private readonly Lake _lake = new();

    public ValueTask DisposeAsync() => _lake.DisposeAsync();

    /// <summary>One run of the host: a new destination finds the schema's tables, then writes a batch of new keys.</summary>
    private async Task<InterposingStorage> RunAsync(DeltaSnapshotCache cache, long id)
    {
        var storage = new InterposingStorage(_lake.Storage());
        var destination = _lake.Open(_lake.Options(), storage, cache: cache);
        Assert.Equal("items", Assert.Single(await destination.GetTablesAsync(Lake.Schema, default)).Name);
        await destination.WriteAsync(Lake.Upsert(id), default);
        await destination.DisposeAsync();
        return storage;
    }

    [Fact]
    public async Task Run_TableWithManyVersionsAndTheCacheShared_ReadsOnlyTheCommitsAroundTheCachedVersion()
    {
        var cache = new DeltaSnapshotCache();
        var writer = _lake.Open(_lake.Options(), cache: cache);
        await writer.WriteAsync(Lake.Create(0), default);
        for (var id = 1; id <= 24; id++)
        {
            await writer.WriteAsync(Lake.Upsert(id), default); // 25 versions, checkpoints at 10 and 20, 25 data files
        }

        var alone = await RunAsync(new DeltaSnapshotCache(), 100); // a process of its own: loads, vacuums, cleans the log
        var shared = await RunAsync(cache, 101);
        var again = await RunAsync(cache, 102);

        output.WriteLine($"own cache:    {alone.Requests} requests ({alone.Reads} reads, {alone.Downloads} downloads, {alone.Listings} listings of {alone.Listed} entries)");
        output.WriteLine($"shared cache: {shared.Requests} requests ({shared.Reads} reads, {shared.Downloads} downloads, {shared.Listings} listings of {shared.Listed} entries)");
        output.WriteLine(string.Join("\n", shared.Requested));
        // The shared run lists the schema's folders, checks the cached version's commit (24) and reads the next ones (the
        // other run's 25, then none), then checks 25 again and finds no 26 before committing it: no checkpoint, no pointer,
        // no listing of the table's files (its vacuum ran at version 0 in this process).
        static string Log(long version) => $"conn/items/_delta_log/{version:D20}.json";
        Assert.Equal(Sorted(["folders:conn", Log(24), Log(25), Log(26), Log(25), Log(26)]), Sorted(shared.Requested));
        Assert.Equal(Sorted(["folders:conn", Log(26), Log(27), Log(26), Log(27)]), Sorted(again.Requested));
        Assert.Equal(1, alone.Downloads); // its checkpoint: a process of its own loads the table
        Assert.True(shared.Requests < alone.Requests, $"{shared.Requests} requests with the cache, {alone.Requests} without");
        Assert.Equal(Enumerable.Range(0, 25).Select(id => $"{id}|n{id}|False").Concat(["100|n100|False", "101|n101|False", "102|n102|False"]), await _lake.RowsAsync());
    }

    private static List<string> Sorted(IEnumerable<string> requests) => [.. requests.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task WriteAsync_TableDroppedAndCreatedAgainElsewhereWithAsManyVersions_IsLoadedAfreshNotServedStale()
    {
        var cache = new DeltaSnapshotCache();
        var here = _lake.Open(_lake.Options(), cache: cache);
        await here.WriteAsync(Lake.Create(1, 2, 3), default);
        await here.WriteAsync(Lake.Upsert(4), default);
        await here.WriteAsync(Lake.Upsert(5), default);
        var elsewhere = _lake.Open(_lake.Options(), cache: new DeltaSnapshotCache()); // another instance

        await elsewhere.DropSchemaAsync(Lake.Schema, default);
        await elsewhere.WriteAsync(Lake.Create(1, 2), default);
        await elsewhere.WriteAsync(Lake.Upsert(6), default);
        await elsewhere.WriteAsync(Lake.Upsert(7), default); // version 2 again, another table

        await here.WriteAsync(Lake.Upsert("here", 1), default);

        Assert.Equal(["1|here|False", "2|n2|False", "6|n6|False", "7|n7|False"], await _lake.RowsAsync());

        // And a new destination that starts from the shared cache, after another drop and re-creation.
        await elsewhere.DropSchemaAsync(Lake.Schema, default);
        await elsewhere.WriteAsync(Lake.Create(2, 8), default);
        await elsewhere.WriteAsync(Lake.Upsert(9), default);
        await elsewhere.WriteAsync(Lake.Upsert(10), default);
        await elsewhere.WriteAsync(Lake.Upsert(11), default);
        var next = _lake.Open(_lake.Options(), cache: cache);

        Assert.Equal("items", Assert.Single(await next.GetTablesAsync(Lake.Schema, default)).Name);
        Assert.Equal(3, cache.Get(_lake.Folder, "conn/items").Snapshot!.Version);
        await next.WriteAsync(Lake.Upsert("next", 2), default);
        Assert.Equal(["2|next|False", "8|n8|False", "9|n9|False", "10|n10|False", "11|n11|False"], await _lake.RowsAsync());
    }

    [Fact]
    public async Task DropSchemaAsync_SameProcess_ForgetsTheCachedTables()
    {
        var cache = new DeltaSnapshotCache();
        var destination = _lake.Open(_lake.Options(), cache: cache);
        await destination.WriteAsync(Lake.Create(1), default);
        Assert.Equal(1, cache.Count);

        await destination.DropSchemaAsync(Lake.Schema, default);

        Assert.Equal(0, cache.Count);
        Assert.Empty(await _lake.Open(_lake.Options(), cache: cache).GetTablesAsync(Lake.Schema, default));
    }

    [Fact]
    public async Task GetTablesAsync_SchemaWithManyDataFiles_ListsItsFoldersNotItsFiles()
    {
        var destination = _lake.Open(_lake.Options(compactionThreshold: 1000), cache: new DeltaSnapshotCache());
        await destination.WriteAsync(Lake.Create(0), default);
        for (var id = 1; id <= 12; id++)
        {
            await destination.WriteAsync(Lake.Upsert(id), default);
        }

        Directory.CreateDirectory(Path.Combine(_lake.Folder, Lake.Schema, "not-a-table"));
        Directory.CreateDirectory(Path.Combine(_lake.Folder, Lake.Schema, "_tributary"));
        var storage = new InterposingStorage(_lake.Storage());

        var tables = await _lake.Open(_lake.Options(), storage, cache: new DeltaSnapshotCache()).GetTablesAsync(Lake.Schema, default);

        Assert.Equal("items", Assert.Single(tables).Name);
        Assert.Equal(3, storage.Listed); // items, not-a-table, _tributary: not the 13 data files and the log below them
    }
}

public sealed class DeltaSnapshotCacheUnitTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private static async Task<DeltaSnapshot> SnapshotAsync(int files)
    {
        var storage = new Storage.FolderLakeStorage(Directory.CreateTempSubdirectory("tributary-delta-cache-").FullName);
        var log = new DeltaTableLog(storage, "conn/items", Time);
        return await log.CommitAsync(null, Log.LogSamples.Create([.. Enumerable.Range(0, files).Select(i => Log.LogSamples.Add($"f{i}"))]), default);
    }

    [Fact]
    public async Task Set_MoreTablesOrFilesThanItHolds_EvictsTheLeastRecentlyUsed()
    {
        var cache = new DeltaSnapshotCache(maxTables: 2, maxFiles: 10);
        var small = await SnapshotAsync(3);
        cache.Set("lake", "s/a", small, null);
        cache.Set("lake", "s/b", small, 7);
        _ = cache.Get("lake", "s/a");
        cache.Set("lake", "s/c", small, null); // three tables: b, the least recently used, goes

        Assert.Null(cache.Get("lake", "s/b").Snapshot);
        Assert.Same(small, cache.Get("lake", "s/a").Snapshot);
        Assert.Same(small, cache.Get("lake", "s/c").Snapshot);
        Assert.Null(cache.Get("other lake", "s/a").Snapshot);

        cache.Set("lake", "s/d", await SnapshotAsync(6), 1); // 3 + 6 + 3 files > 10: a goes, then c still fits
        Assert.Equal(2, cache.Count);
        Assert.Null(cache.Get("lake", "s/a").Snapshot);
        Assert.Equal(1, cache.Get("lake", "s/d").VacuumedAt);

        cache.Set("lake", "s/e", await SnapshotAsync(11), null); // larger than the whole cache: not kept
        Assert.Null(cache.Get("lake", "s/e").Snapshot);
    }

    [Fact]
    public async Task GetAndSet_ManyThreadsAtOnce_StayWithinBoundsAndConsistent()
    {
        var cache = new DeltaSnapshotCache(maxTables: 8, maxFiles: 1000);
        var snapshot = await SnapshotAsync(2);

        await Parallel.ForAsync(0, 20_000, async (i, _) =>
        {
            var table = $"s/t{i % 13}";
            cache.Set("lake", table, snapshot, i);
            if (cache.Get("lake", table).Snapshot is { } got)
            {
                Assert.Same(snapshot, got);
            }

            if (i % 1000 == 0)
            {
                cache.RemoveSchema("lake", "s");
            }

            await Task.CompletedTask;
        });

        Assert.InRange(cache.Count, 1, 8);
    }
}

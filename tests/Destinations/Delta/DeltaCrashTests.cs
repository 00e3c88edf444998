using Tributary.Destinations.Delta.Log;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// A writer that dies between uploading a batch's data files and creating its commit leaves only unreferenced files: the
/// table is unchanged, a rerun converges, and vacuum collects what the dead writer left once the retention has passed.
/// </summary>
public sealed class DeltaCrashTests : IAsyncDisposable
{
    private readonly Lake _lake = new();

    public ValueTask DisposeAsync() => _lake.DisposeAsync();

    [Fact]
    public async Task WriteAsync_WriterDiesBeforeItsCommit_RerunConvergesAndVacuumCollectsWhatItLeft()
    {
        await using (var first = _lake.Open())
        {
            await first.WriteAsync(Lake.Create(1, 2, 3), default);
        }

        var storage = new InterposingStorage(_lake.Storage());
        var dying = _lake.Open(storage: storage);
        storage.BeforeCommit = () => throw new IOException("The process died here.");
        await Assert.ThrowsAsync<IOException>(() => dying.WriteAsync(Lake.Upsert("rerun", 2, 4), default));
        Assert.Equal(["1|n1|False", "2|n2|False", "3|n3|False"], await _lake.RowsAsync());
        var orphans = Files().Except((await _lake.SnapshotAsync())!.Files.Keys).ToList();
        Assert.Equal(2, orphans.Count);   // the rewrite of the file holding key 2, and the append of new key 4

        await using (var rerun = _lake.Open())
        {
            await rerun.WriteAsync(Lake.Upsert("rerun", 2, 4), default);
        }

        Assert.Equal(["1|n1|False", "2|rerun|False", "3|n3|False", "4|rerun|False"], await _lake.RowsAsync());
        var snapshot = (await _lake.SnapshotAsync())!;
        var later = new Ahead(TimeSpan.FromHours(2));
        var result = await new DeltaTableLog(_lake.Storage(), Lake.Schema + "/items", later).VacuumAsync(snapshot, TimeSpan.FromHours(1), default);

        // Past the retention, the dead writer's file goes, and so does the file the rerun removed.
        Assert.Subset(result.Deleted.Select(f => f.Path[(f.Path.LastIndexOf('/') + 1)..]).ToHashSet(), orphans.ToHashSet());
        Assert.Equal(snapshot.Files.Keys.Order(StringComparer.Ordinal), Files().Order(StringComparer.Ordinal));
        Assert.Equal(["1|n1|False", "2|rerun|False", "3|n3|False", "4|rerun|False"], await _lake.RowsAsync());
    }

    private List<string> Files() =>
        [.. Directory.GetFiles(Path.Combine(_lake.Folder, Lake.Schema, "items"), "*.parquet").Select(f => Path.GetFileName(f))];

    /// <summary>The system clock, some time ahead.</summary>
    private sealed class Ahead(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}

using DuckDB.NET.Data;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// Compaction streams small files whose key ranges do not overlap (an initial load's appends) from one to the next, in key
/// order, without loading them into the engine; files that overlap are loaded and sorted.
/// </summary>
public sealed class DeltaCompactionTests : IAsyncDisposable
{
    private readonly Lake _lake = new();
    private readonly List<long> _workingRows = [];

    public ValueTask DisposeAsync() => _lake.DisposeAsync();

    [Fact]
    public async Task WriteAsync_SmallFilesWithDisjointRanges_CompactedInKeyOrderWithoutLoadingThem()
    {
        var destination = _lake.Open(Options());
        await destination.WriteAsync(Lake.Create(40, 41), default);
        for (var i = 3; i >= 0; i--)
        {
            await destination.WriteAsync(Lake.Upsert(10 * i, 10 * i + 1), default);   // each below every file: appended
        }

        Assert.Equal([2L, 2L, 2L, 2L, 2L], _workingRows);   // the appends only: the compaction loaded nothing
        Assert.Equal([0L, 1L, 10L, 11L, 20L, 21L, 30L, 31L, 40L, 41L], Ids((await _lake.SnapshotAsync())!.Files.Keys.Single()));
    }

    [Fact]
    public async Task WriteAsync_SmallFilesWithOverlappingRanges_LoadedAndCompactedInKeyOrder()
    {
        var destination = _lake.Open(Options());
        await destination.WriteAsync(Lake.Create(1, 100), default);
        for (var i = 4; i >= 1; i--)
        {
            await destination.WriteAsync(Lake.Upsert(10 * i, 100 + 10 * i), default);   // new keys inside earlier ranges: appended
        }

        Assert.Equal([2L, 2L, 2L, 2L, 2L, 10L], _workingRows);
        Assert.Equal([1L, 10L, 20L, 30L, 40L, 100L, 110L, 120L, 130L, 140L], Ids((await _lake.SnapshotAsync())!.Files.Keys.Single()));
    }

    private DeltaDestinationOptions Options() => new() { Folder = _lake.Folder, CompactionThreshold = 4, WorkingTableRows = _workingRows.Add };

    /// <summary>The ids of a data file of the items table, in the file's order.</summary>
    private List<long> Ids(string file)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id FROM read_parquet('{Path.Combine(_lake.Folder, Lake.Schema, "items", file)}')";
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}

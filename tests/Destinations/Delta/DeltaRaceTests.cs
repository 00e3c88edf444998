using Tributary.Sdk.Testing;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>Two destinations writing one table: a lost version is committed again or planned again, and the table converges.</summary>
public sealed class DeltaRaceTests : IAsyncDisposable
{
    private readonly Lake _lake = new();
    private readonly CapturingLoggerProvider _log = new();

    public ValueTask DisposeAsync() => _lake.DisposeAsync();

    [Fact]
    public async Task WriteAsync_OtherWriterAppendedOtherKeysFirst_CommitsTheSameFilesOnTheNextVersion()
    {
        var storage = new InterposingStorage(_lake.Storage());
        var a = _lake.Open(storage: storage, logger: _log.CreateLogger("a"));
        var b = _lake.Open();
        await a.WriteAsync(Lake.Create(1, 2, 3), default);
        storage.BeforeCommit = () => b.WriteAsync(Lake.Upsert(10, 11), default);

        await a.WriteAsync(Lake.Upsert("by a", 2), default);

        Assert.Equal(["1|n1|False", "2|by a|False", "3|n3|False", "10|n10|False", "11|n11|False"], await _lake.RowsAsync());
        Assert.Equal(2, (await _lake.SnapshotAsync())!.Version);
        Assert.Contains(_log.Lines, l => l.Contains("[3102]", StringComparison.Ordinal));
        Assert.Equal(3, ParquetFiles().Count);   // a's first file (now removed), b's, a's rewrite: nothing written twice
    }

    [Fact]
    public async Task WriteAsync_OtherWriterRewroteTheSameFileFirst_PlansAgainAndLeavesNoStrayFile()
    {
        var storage = new InterposingStorage(_lake.Storage());
        var a = _lake.Open(storage: storage, logger: _log.CreateLogger("a"));
        var b = _lake.Open();
        await a.WriteAsync(Lake.Create(1, 2, 3), default);
        storage.BeforeCommit = () => b.WriteAsync(Lake.Upsert("by b", 2, 3), default);

        await a.WriteAsync(Lake.Upsert("by a", 2), default);

        Assert.Equal(["1|n1|False", "2|by a|False", "3|by b|False"], await _lake.RowsAsync());
        Assert.Contains(_log.Lines, l => l.Contains("[3103]", StringComparison.Ordinal));
        var snapshot = (await _lake.SnapshotAsync())!;
        Assert.Equal(2, snapshot.Version);
        Assert.Equal(ParquetFiles().Order(StringComparer.Ordinal), snapshot.Files.Keys.Concat(snapshot.Tombstones.Keys).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_TwoDestinationsRacingFromTheTablesCreation_Converge()
    {
        // Each version one writer loses is one the other committed, and each writes 15 batches: 32 attempts always suffice.
        var options = new DeltaDestinationOptions { Folder = _lake.Folder, MaxCommitAttempts = 32 };
        var a = _lake.Open(options);
        var b = _lake.Open(options);

        async Task Run(Runtime.Destinations.IDestination destination, long offset)
        {
            await destination.WriteAsync(Lake.Create(offset), default);
            for (var i = 1; i < 8; i++)
            {
                await destination.WriteAsync(Lake.Upsert(offset + 2 * i, 1000 + offset + i), default);
                await destination.WriteAsync(Lake.Upsert("shared", 500), default);
            }
        }

        await Task.WhenAll(Task.Run(() => Run(a, 0)), Task.Run(() => Run(b, 1)));

        var expected = Enumerable.Range(0, 16).Select(i => $"{i}|n{i}|False")
            .Append("500|shared|False")
            .Concat(Enumerable.Range(1, 7).SelectMany(i => new[] { 1000 + i, 1001 + i }).Distinct().Order().Select(i => $"{i}|n{i}|False"));
        Assert.Equal(expected.OrderBy(r => long.Parse(r.Split('|')[0], System.Globalization.CultureInfo.InvariantCulture)), await _lake.RowsAsync());
    }

    private List<string> ParquetFiles() =>
        [.. Directory.GetFiles(Path.Combine(_lake.Folder, Lake.Schema, "items"), "*.parquet").Select(f => Path.GetFileName(f))];
}

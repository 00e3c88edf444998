using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.Delta.Log;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>A destination cleans a table's log up where it vacuums it; the lake stays valid and reads the same.</summary>
public sealed class DeltaLogCleanupTests : IAsyncDisposable
{
    private readonly Lake _lake = new();

    public ValueTask DisposeAsync() => _lake.DisposeAsync(); // checks the cleaned lake against the protocol

    [Fact]
    public async Task WriteAsync_FirstWriteOfAProcessOnALogOlderThanItsRetention_DeletesTheExpiredEntriesAndReadsTheSame()
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var writer = _lake.Open(_lake.Options(compactionThreshold: 1000), cache: new DeltaSnapshotCache());
        await writer.WriteAsync(Lake.Create(0), default);
        for (var id = 1; id <= 34; id++)
        {
            await writer.WriteAsync(Lake.Upsert(id), default);
        }

        // Version v is 55 - v days old: 24 and older are past the 30 days, 25 and newer within them.
        var log = Path.Combine(_lake.Folder, Lake.Schema, "items", "_delta_log");
        foreach (var file in Directory.GetFiles(log, "0*"))
        {
            var version = long.Parse(Path.GetFileName(file)[..20], CultureInfo.InvariantCulture);
            File.SetLastWriteTimeUtc(file, (now - TimeSpan.FromDays(55 - version)).UtcDateTime);
        }

        var temp = Path.Combine(log, $".00000000000000000035.json.{Guid.NewGuid():N}.tmp"); // a folder write killed before its link
        await File.WriteAllTextAsync(temp, "{}");
        File.SetLastWriteTimeUtc(temp, (now - TimeSpan.FromDays(8)).UtcDateTime);
        var options = new DeltaDestinationOptions { Folder = _lake.Folder, TimeProvider = new FakeTimeProvider(now) };

        await _lake.Open(options, cache: new DeltaSnapshotCache()).WriteAsync(Lake.Upsert(100), default);

        var left = Directory.GetFiles(log).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal("00000000000000000020.checkpoint.parquet", left[0]);
        Assert.Equal([.. Enumerable.Range(20, 17).Select(v => $"{v:D20}.json")], left.Where(name => name!.EndsWith(".json", StringComparison.Ordinal)));
        Assert.DoesNotContain(left, name => name!.EndsWith(".tmp", StringComparison.Ordinal));
        var snapshot = (await _lake.SnapshotAsync())!;
        var independent = await Tributary.Testing.DeltaLogReader.ReadAsync(Path.Combine(_lake.Folder, Lake.Schema, "items"), default);
        Assert.Equal(36, snapshot.Version); // the table was created by a version of its own
        Assert.Equal(snapshot.Version, independent.Version);
        Assert.Equal(snapshot.Files.Keys.Order(StringComparer.Ordinal), independent.Files.Select(file => file.Path));
        Assert.Equal([.. Enumerable.Range(0, 35).Select(id => $"{id}|n{id}|False"), "100|n100|False"], await _lake.RowsAsync());
    }
}

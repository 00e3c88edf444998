using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;
using IndependentReader = Tributary.Testing.DeltaLogReader;

namespace Tributary.Destinations.Delta.Tests.Log;

public sealed class LogCleanupTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("tributary-delta-cleanup-");
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _root.Delete(recursive: true);

    private string Table => Path.Combine(_root.FullName, "conn", "items");

    private string LogFile(string name) => Path.Combine(Table, "_delta_log", name);

    private static string Commit(long version) => $"{version:D20}.json";

    private static string Checkpoint(long version) => $"{version:D20}.checkpoint.parquet";

    /// <summary>Versions 0..<paramref name="last"/>, each adding a file and every third removing the one before; the snapshot of each.</summary>
    internal static async Task<List<DeltaSnapshot>> CommitVersionsAsync(DeltaTableLog log, int last, IReadOnlyDictionary<string, string>? configuration = null)
    {
        var metadata = LogSamples.Metadata();
        if (configuration is not null)
        {
            metadata = metadata with { Configuration = new Dictionary<string, string>(metadata.Configuration.Concat(configuration)) };
        }

        List<DeltaSnapshot> snapshots = [await log.CommitAsync(null, new DeltaCommit("CREATE TABLE", LogSamples.Protocol, metadata, [LogSamples.Add("f0")], []), Ct)];
        for (var version = 1; version <= last; version++)
        {
            IReadOnlyList<RemoveFile> removes = version % 3 == 0 ? [new RemoveFile($"f{version - 1}.parquet", 1_700_000_000_000 + version, true, 100)] : [];
            snapshots.Add(await log.CommitAsync(snapshots[^1], new DeltaCommit("MERGE", null, null, [LogSamples.Add($"f{version}", 100 + version)], removes), Ct));
        }

        return snapshots;
    }

    /// <summary>Dates version <paramref name="version"/>'s commit and checkpoint <paramref name="age"/> before now.</summary>
    private void Age(long version, TimeSpan age)
    {
        foreach (var name in (string[])[Commit(version), Checkpoint(version)])
        {
            if (File.Exists(LogFile(name)))
            {
                File.SetLastWriteTimeUtc(LogFile(name), (Now - age).UtcDateTime);
            }
        }
    }

    private void Touch(string name, TimeSpan age)
    {
        File.WriteAllText(LogFile(name), "x");
        File.SetLastWriteTimeUtc(LogFile(name), (Now - age).UtcDateTime);
    }

    private string[] LogNames() => [.. Directory.GetFiles(Path.Combine(Table, "_delta_log")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task CleanUpLogAsync_ManyVersionsOnAFakeClock_DeletesOnlyWhatPrecedesTheNewestExpiredCheckpointOldestFirst()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var log = new DeltaTableLog(storage, "conn/items", _time);
        var snapshots = await CommitVersionsAsync(log, 34);
        // Version v is 55 - v days old: 25 is 30 days old (kept: the cut-off is midnight of the day 30 days ago), 24 older.
        for (var version = 0; version <= 34; version++)
        {
            Age(version, TimeSpan.FromDays(55 - version));
        }

        Touch("00000000000000000005.crc", TimeSpan.FromDays(50));
        Touch("00000000000000000003.00000000000000000006.compacted.json", TimeSpan.FromDays(50));
        Touch("00000000000000000020.00000000000000000022.compacted.json", TimeSpan.FromDays(34));
        Touch("00000000000000000021.00000000000000000023.compacted.json", TimeSpan.FromDays(33));
        Touch("._last_checkpoint.0123456789abcdef0123456789abcdef.tmp", TimeSpan.FromDays(8));
        Touch(".00000000000000000035.json.0123456789abcdef0123456789abcdef.tmp", TimeSpan.FromHours(1));

        var result = await log.CleanUpLogAsync(snapshots[^1], TimeSpan.FromDays(7), Ct);

        Assert.Equal(20, result.KeptFrom);
        Assert.Equal(TimeSpan.FromDays(30), result.Retention);
        string[] expired =
        [
            .. Enumerable.Range(0, 20).SelectMany(v => v == 10 ? (string[])[Checkpoint(10), Commit(10)] : [Commit(v)]),
            "00000000000000000003.00000000000000000006.compacted.json", "00000000000000000005.crc",
            "00000000000000000020.00000000000000000022.compacted.json",
        ];
        Assert.Equal(expired.Order(StringComparer.Ordinal), result.Deleted.Select(file => Path.GetFileName(file.Path)).Order(StringComparer.Ordinal));
        var deletedVersions = result.Deleted.Select(file => long.Parse(Path.GetFileName(file.Path)[..20], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(deletedVersions.Order(), deletedVersions); // the oldest first, so a log cut short still replays
        Assert.Equal("._last_checkpoint.0123456789abcdef0123456789abcdef.tmp", Path.GetFileName(Assert.Single(result.TempFiles).Path));
        Assert.Equal(
            [
                ".00000000000000000035.json.0123456789abcdef0123456789abcdef.tmp",
                .. Enumerable.Range(20, 15).SelectMany(v => v % 10 == 0 ? (string[])[Checkpoint(v), Commit(v)] : [Commit(v)]),
                "00000000000000000021.00000000000000000023.compacted.json",
                "_last_checkpoint",
            ],
            LogNames().OrderBy(name => name.StartsWith('.') ? 0 : name.Contains("compacted", StringComparison.Ordinal) ? 2 : name.StartsWith('_') ? 3 : 1).ThenBy(name => name, StringComparer.Ordinal));

        // The latest version, by this log and by the independent reader.
        AssertFiles(snapshots[34], await new DeltaTableLog(storage, "conn/items").LoadAsync(Ct));
        var independent = await IndependentReader.ReadAsync(Table, Ct);
        Assert.Equal(34, independent.Version);
        Assert.Equal(snapshots[34].Files.Keys.Order(StringComparer.Ordinal), independent.Files.Select(file => file.Path));

        // Every version from the kept checkpoint on still reads (time travel within the retention); none before it.
        for (var version = 20; version <= 34; version++)
        {
            var past = await IndependentReader.ReadAsync(Table, version, useCheckpoints: true, Ct);
            Assert.Equal(snapshots[version].Files.Keys.Order(StringComparer.Ordinal), past.Files.Select(file => file.Path));
        }

        await Assert.ThrowsAsync<InvalidDataException>(() => IndependentReader.ReadAsync(Table, 19, useCheckpoints: true, Ct));

        // Without _last_checkpoint and with the newest checkpoint damaged, the loader falls back to the kept one.
        File.Delete(LogFile("_last_checkpoint"));
        await File.WriteAllTextAsync(LogFile(Checkpoint(30)), "not parquet", Ct);
        AssertFiles(snapshots[34], await new DeltaTableLog(storage, "conn/items").LoadAsync(Ct));
    }

    [Fact]
    public async Task CleanUpLogAsync_EverythingWithinRetentionOrCleanupDisabled_DeletesNoLogEntry()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var log = new DeltaTableLog(storage, "conn/items", _time);
        var snapshots = await CommitVersionsAsync(log, 24);
        for (var version = 0; version <= 24; version++)
        {
            Age(version, TimeSpan.FromDays(29) - TimeSpan.FromHours(version));
        }

        var before = LogNames();

        var result = await log.CleanUpLogAsync(snapshots[^1], TimeSpan.FromDays(7), Ct);

        Assert.Null(result.KeptFrom);
        Assert.Empty(result.Deleted);
        Assert.Equal(before, LogNames());

        // Old enough, but the table says no.
        var disabled = new DeltaTableLog(storage, "conn/other", _time);
        var kept = await CommitVersionsAsync(disabled, 24, new Dictionary<string, string> { ["delta.enableExpiredLogCleanup"] = "false" });
        foreach (var file in Directory.GetFiles(Path.Combine(_root.FullName, "conn", "other", "_delta_log")))
        {
            File.SetLastWriteTimeUtc(file, (Now - TimeSpan.FromDays(90)).UtcDateTime);
        }

        Assert.Empty((await disabled.CleanUpLogAsync(kept[^1], TimeSpan.FromDays(7), Ct)).Deleted);
        Assert.Equal(25, Directory.GetFiles(Path.Combine(_root.FullName, "conn", "other", "_delta_log"), "*.json").Length);
    }

    [Fact]
    public async Task CleanUpLogAsync_ShorterLogRetentionAndClocksOutOfOrder_CutsAtTheLastCommitNoLaterCommitPrecedes()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var log = new DeltaTableLog(storage, "conn/items", _time);
        var snapshots = await CommitVersionsAsync(log, 34, new Dictionary<string, string> { ["delta.logRetentionDuration"] = "interval 2 days" });
        for (var version = 0; version <= 34; version++)
        {
            Age(version, TimeSpan.FromDays(40 - version));
        }

        // Version 12 was written by a machine whose clock ran ahead: versions 12..34 count as no older than it (1 day).
        Age(12, TimeSpan.FromDays(1));

        var result = await log.CleanUpLogAsync(snapshots[^1], TimeSpan.FromDays(7), Ct);

        Assert.Equal(TimeSpan.FromDays(2), result.Retention);
        Assert.Equal(10, result.KeptFrom);
        Assert.Equal(Enumerable.Range(0, 10).Select(v => Commit(v)), result.Deleted.Select(file => Path.GetFileName(file.Path)));
        AssertFiles(snapshots[34], await new DeltaTableLog(storage, "conn/items").LoadAsync(Ct));
    }

    private static void AssertFiles(DeltaSnapshot expected, DeltaSnapshot? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Metadata.Id, actual.Metadata.Id);
        Assert.Equal(expected.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal), actual.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }
}

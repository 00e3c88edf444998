using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests.Log;

public sealed class VacuumTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("tributary-delta-vacuum-");
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _root.Delete(recursive: true);

    private string Full(string path) => Path.Combine(_root.FullName, path);

    private void Touch(string path, TimeSpan age)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Full(path))!);
        File.WriteAllText(Full(path), path);
        File.SetLastWriteTimeUtc(Full(path), (Now - age).UtcDateTime);
    }

    [Fact]
    public async Task VacuumAsync_OldUnreferencedDataFiles_AreDeletedAndNothingElse()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var log = new DeltaTableLog(storage, "conn/items", _time);
        var old = TimeSpan.FromDays(30);
        foreach (var file in (string[])["live.parquet", "removed-long-ago.parquet", "removed-lately.parquet", "crashed.parquet", "sub/crashed.parquet"])
        {
            Touch($"conn/items/{file}", old);
        }

        Touch("conn/items/written-lately.parquet", TimeSpan.FromDays(6));
        Touch("conn/items/_staging/old.parquet", old);
        Touch("conn/items2/crashed.parquet", old);
        var snapshot = await log.CommitAsync(
            null, LogSamples.Create(LogSamples.Add("live"), LogSamples.Add("removed-long-ago"), LogSamples.Add("removed-lately")), Ct);
        snapshot = await log.CommitAsync(
            snapshot,
            new DeltaCommit("DELETE", null, null, [], [new RemoveFile("removed-long-ago.parquet", (Now - TimeSpan.FromDays(8)).ToUnixTimeMilliseconds(), true)]),
            Ct);
        snapshot = await log.CommitAsync(
            snapshot,
            new DeltaCommit("DELETE", null, null, [], [new RemoveFile("removed-lately.parquet", (Now - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), true)]),
            Ct);
        foreach (var commit in Directory.GetFiles(Full("conn/items/_delta_log")))
        {
            File.SetLastWriteTimeUtc(commit, (Now - old).UtcDateTime);
        }

        var result = await log.VacuumAsync(snapshot, DeltaRetention.Default, Ct);
        var left = await storage.ListAsync("conn", Ct).Select(file => file.Path).Order(StringComparer.Ordinal).ToListAsync(Ct);

        Assert.Equal(
            ["conn/items/crashed.parquet", "conn/items/removed-long-ago.parquet", "conn/items/sub/crashed.parquet"],
            result.Deleted.Select(file => file.Path).Order(StringComparer.Ordinal));
        Assert.Equal(result.Deleted.Sum(file => file.Size), result.DeletedBytes);
        Assert.Equal(
            [
                "conn/items/_delta_log/00000000000000000000.json",
                "conn/items/_delta_log/00000000000000000001.json",
                "conn/items/_delta_log/00000000000000000002.json",
                "conn/items/_staging/old.parquet",
                "conn/items/live.parquet",
                "conn/items/removed-lately.parquet",
                "conn/items/written-lately.parquet",
                "conn/items2/crashed.parquet",
            ],
            left);
    }

    [Fact]
    public async Task VacuumAsync_RetentionZero_DeletesEveryUnreferencedFileButNoLogOrReferencedFile()
    {
        var storage = new FolderLakeStorage(_root.FullName);
        var log = new DeltaTableLog(storage, "conn/items", _time);
        Touch("conn/items/live.parquet", TimeSpan.FromMinutes(1));
        Touch("conn/items/crashed.parquet", TimeSpan.FromMinutes(1));
        Touch("conn/items/with space.parquet", TimeSpan.FromMinutes(1));
        var snapshot = await log.CommitAsync(null, LogSamples.Create(LogSamples.Add("live"), LogSamples.Add("with%20space")), Ct);
        File.SetLastWriteTimeUtc(Full("conn/items/_delta_log/00000000000000000000.json"), (Now - TimeSpan.FromDays(1)).UtcDateTime);

        var result = await log.VacuumAsync(snapshot, TimeSpan.Zero, Ct);

        Assert.Equal("conn/items/crashed.parquet", Assert.Single(result.Deleted).Path);
        Assert.True(File.Exists(Full("conn/items/live.parquet")));
        Assert.True(File.Exists(Full("conn/items/with space.parquet"))); // add paths are URL-encoded
        Assert.True(File.Exists(Full("conn/items/_delta_log/00000000000000000000.json")));
    }
}

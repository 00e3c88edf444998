using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Tests.Log;

/// <summary>Two writers, each with its own log instance, read version 1 and race to commit version 2.</summary>
internal static class LogRace
{
    public static async Task RunAsync(ILakeStorage storage, string table, CancellationToken ct)
    {
        var setup = new DeltaTableLog(storage, table);
        var created = await setup.CommitAsync(null, LogSamples.Create(LogSamples.Add("a")), ct);
        await setup.CommitAsync(created, LogSamples.Write(LogSamples.Add("b")), ct);

        var first = new DeltaTableLog(storage, table);
        var second = new DeltaTableLog(storage, table);
        var firstRead = await first.LoadAsync(ct);
        var secondRead = await second.LoadAsync(ct);
        Assert.Equal(1, firstRead!.Version);
        Assert.Equal(1, secondRead!.Version);

        using var start = new SemaphoreSlim(0, 2);
        var racers = new[]
        {
            Task.Run(async () => { await start.WaitAsync(ct); return await first.CommitAsync(firstRead, LogSamples.Write(LogSamples.Add("first")), ct); }, ct),
            Task.Run(async () => { await start.WaitAsync(ct); return await second.CommitAsync(secondRead, LogSamples.Write(LogSamples.Add("second")), ct); }, ct),
        };
        start.Release(2);
        var outcomes = await Task.WhenAll(racers.Select(async racer =>
        {
            try
            {
                return (Snapshot: await racer, Error: (DeltaConcurrentCommitException?)null);
            }
            catch (DeltaConcurrentCommitException ex)
            {
                return (Snapshot: (DeltaSnapshot?)null, Error: ex);
            }
        }));

        var winner = Assert.Single(outcomes, outcome => outcome.Snapshot is not null);
        var loser = Assert.Single(outcomes, outcome => outcome.Error is not null);
        Assert.Equal(2, winner.Snapshot!.Version);
        Assert.Equal(2, loser.Error!.Version);
        Assert.Contains("refresh the snapshot and commit again", loser.Error.Message, StringComparison.Ordinal);

        var loserIndex = Array.IndexOf(outcomes, loser);
        var (loserLog, loserRead, loserFile) = loserIndex == 0 ? (first, firstRead, "first") : (second, secondRead, "second");
        var refreshed = await loserLog.RefreshAsync(loserRead, ct);
        Assert.Equal(2, refreshed!.Version);
        var retried = await loserLog.CommitAsync(refreshed, LogSamples.Write(LogSamples.Add(loserFile)), ct);

        var final = await new DeltaTableLog(storage, table).LoadAsync(ct);
        Assert.Equal(3, retried.Version);
        Assert.Equal(3, final!.Version);
        Assert.Equal(["a.parquet", "b.parquet", "first.parquet", "second.parquet"], final.Files.Keys.Order());
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;

namespace Tributary.Runtime.Tests.State;

/// <summary>The local store prunes its history and run records as the Blob store does, and pages its runs.</summary>
public sealed class FileStateStoreRetentionTests : IDisposable
{
    private const string Connector = "my_connector";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    private FileStateStore NewStore(RetentionOptions? retention = null) => new(_directory.Path, _time, retention);

    [Fact]
    public async Task SaveRunAsync_EndedRunBeyondRunCount_KeepsTheNewestRecords()
    {
        var store = NewStore(new RetentionOptions { RunCount = 2 });

        for (var i = 0; i < 4; i++)
        {
            await store.SaveRunAsync(Ended("run" + i), None);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(["run3", "run2"], (await FileStateStoreStateTests.ToListAsync(store.ListRunsAsync(Connector, None))).Select(r => r.Id));
    }

    [Fact]
    public async Task SaveRunAsync_RunningRecord_PrunesNothing()
    {
        var store = NewStore(new RetentionOptions { RunCount = 1 });
        await store.SaveRunAsync(FileStateStoreRunTests.Run(Connector, _time.GetUtcNow(), "a"), None);

        await store.SaveRunAsync(FileStateStoreRunTests.Run(Connector, _time.GetUtcNow().AddSeconds(1), "b"), None);

        Assert.Equal(2, (await FileStateStoreStateTests.ToListAsync(store.ListRunsAsync(Connector, None))).Count);
    }

    [Fact]
    public async Task SaveRunAsync_RunsAndHistoryOlderThanTheirDays_AreDeleted()
    {
        var store = NewStore(new RetentionOptions { RunDays = 3, HistoryDays = 3 });
        var first = await store.WriteAsync(Connector, new JsonObject { ["cursor"] = 1 }, null, None);
        await store.SaveRunAsync(Ended("old"), None);
        _time.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1));
        await store.WriteAsync(Connector, new JsonObject { ["cursor"] = 2 }, first.Version, None);

        await store.SaveRunAsync(Ended("new"), None);

        Assert.Equal(["new"], (await FileStateStoreStateTests.ToListAsync(store.ListRunsAsync(Connector, None))).Select(r => r.Id));
        Assert.Equal(["2"], (await FileStateStoreStateTests.ToListAsync(store.HistoryAsync(Connector, None))).Select(s => s.Version));
    }

    [Fact]
    public async Task SaveRunAsync_HistoryBeyondHistoryCount_KeepsTheNewestCheckpoints()
    {
        var store = NewStore(new RetentionOptions { HistoryCount = 3 });
        string? version = null;
        for (var i = 1; i <= 12; i++)
        {
            version = (await store.WriteAsync(Connector, new JsonObject { ["cursor"] = i }, version, None)).Version;
        }

        await store.SaveRunAsync(Ended("run"), None);

        Assert.Equal(["12", "11", "10"], (await FileStateStoreStateTests.ToListAsync(store.HistoryAsync(Connector, None))).Select(s => s.Version));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.RollbackAsync(Connector, "9", None));
    }

    [Fact]
    public async Task SaveRunAsync_NoLimits_KeepsEverything()
    {
        var store = NewStore(new RetentionOptions { RunCount = null, RunDays = null, HistoryCount = null, HistoryDays = null });
        for (var i = 0; i < 3; i++)
        {
            await store.SaveRunAsync(Ended("run" + i), None);
            _time.Advance(TimeSpan.FromDays(400));
        }

        Assert.Equal(3, (await FileStateStoreStateTests.ToListAsync(store.ListRunsAsync(Connector, None))).Count);
    }

    [Fact]
    public async Task ListRunsAsync_Pages_NewestFirstWithCursor()
    {
        var store = NewStore();
        for (var i = 0; i < 5; i++)
        {
            await store.SaveRunAsync(FileStateStoreRunTests.Run(Connector, _time.GetUtcNow().AddMinutes(i), "run" + i), None);
        }

        var first = await store.ListRunsAsync(Connector, new RunQuery(2), None);
        var second = await store.ListRunsAsync(Connector, new RunQuery(2, After: first.Next), None);
        var third = await store.ListRunsAsync(Connector, new RunQuery(2, After: second.Next), None);

        Assert.Equal(["run4", "run3", "run2", "run1", "run0"], first.Runs.Concat(second.Runs).Concat(third.Runs).Select(r => r.Id));
        Assert.Null(third.Next);
    }

    [Fact]
    public async Task ListRunsAsync_OneSync_OnlyItsRuns()
    {
        var store = NewStore();
        for (var i = 0; i < 4; i++)
        {
            var run = new RunRecord { Id = "run" + i, SyncId = i % 2 == 0 ? "even" : "odd", Connector = Connector, Trigger = "cli", StartedAt = _time.GetUtcNow().AddMinutes(i) };
            await store.SaveRunAsync(run, None);
        }

        var page = await store.ListRunsAsync(Connector, new RunQuery(10, SyncId: "odd"), None);

        Assert.Equal(["run3", "run1"], page.Runs.Select(r => r.Id));
    }

    [Theory]
    [InlineData(0, 1, 1, 1)]
    [InlineData(1, 0, 1, 1)]
    [InlineData(1, 1, -1, 1)]
    [InlineData(1, 1, 1, 36501)]
    public void Constructor_LimitOutOfRange_ThrowsNamingIt(int historyCount, int historyDays, int runCount, int runDays)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => NewStore(new RetentionOptions
        {
            HistoryCount = historyCount, HistoryDays = historyDays, RunCount = runCount, RunDays = runDays,
        }));

        Assert.StartsWith("Retention.", error.ParamName, StringComparison.Ordinal);
    }

    private RunRecord Ended(string id)
    {
        var run = FileStateStoreRunTests.Run(Connector, _time.GetUtcNow(), id);
        run.Outcome = RunOutcome.Succeeded;
        run.EndedAt = _time.GetUtcNow();
        return run;
    }
}

using Microsoft.Extensions.Time.Testing;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;

namespace Tributary.Runtime.Tests.State;

/// <summary>Run records beside the state.</summary>
public sealed class FileStateStoreRunTests : IDisposable
{
    private const string Connector = "my_connector";
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    internal static RunRecord Run(string connector, DateTimeOffset startedAt, string? id = null) => new()
    {
        Id = id ?? Guid.NewGuid().ToString("N"),
        SyncId = "sync-1",
        Connector = connector,
        Trigger = "cli",
        StartedAt = startedAt,
        Outcome = RunOutcome.Running,
    };

    [Fact]
    public async Task ListRunsAsync_ThreeRuns_NewestFirst()
    {
        var store = new FileStateStore(_directory.Path, _time);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var run = Run(Connector, _time.GetUtcNow(), id: $"run{i}");
            ids.Add(run.Id);
            await store.SaveRunAsync(run, CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(5));
        }

        var runs = await FileStateStoreStateTests.ToListAsync(store.ListRunsAsync(Connector, CancellationToken.None));

        Assert.Equal(["run2", "run1", "run0"], runs.Select(r => r.Id));
    }

    [Fact]
    public async Task SaveRunAsync_SameIdTwice_ReplacesRecord()
    {
        var store = new FileStateStore(_directory.Path, _time);
        var run = Run(Connector, _time.GetUtcNow());
        await store.SaveRunAsync(run, CancellationToken.None);

        run.Outcome = RunOutcome.Succeeded;
        run.EndedAt = _time.GetUtcNow().AddMinutes(1);
        run.Tables["orders"] = new TableCounts { Upserts = 5, UnknownKeys = 1 };
        run.Error = null;
        await store.SaveRunAsync(run, CancellationToken.None);

        var saved = Assert.Single(await FileStateStoreStateTests.ToListAsync(store.ListRunsAsync(Connector, CancellationToken.None)));
        Assert.Equal(RunOutcome.Succeeded, saved.Outcome);
        Assert.Equal(run.EndedAt, saved.EndedAt);
        Assert.Equal(5, saved.Tables["orders"].Upserts);
        Assert.Equal(1, saved.Tables["orders"].UnknownKeys);
    }

    [Fact]
    public async Task ListRunsAsync_NoRuns_Empty()
    {
        Assert.Empty(await FileStateStoreStateTests.ToListAsync(new FileStateStore(_directory.Path).ListRunsAsync(Connector, CancellationToken.None)));
    }

    [Fact]
    public async Task ListRunsAsync_OtherConnectorsRuns_NotListed()
    {
        var store = new FileStateStore(_directory.Path, _time);
        await store.SaveRunAsync(Run("other", _time.GetUtcNow()), CancellationToken.None);

        Assert.Empty(await FileStateStoreStateTests.ToListAsync(store.ListRunsAsync(Connector, CancellationToken.None)));
    }
}

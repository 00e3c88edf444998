using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.Azure.Tests.State;

/// <summary>History and run records pruned when a run ends, tagged for the lifecycle policy, and run pages that download only what they return.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobRetentionTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _container = "state-" + Guid.NewGuid().ToString("N")[..12];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly DownloadCounter _downloads = new();

    private BlobContainerClient Container => azurite.CreateBlobServiceClient().GetBlobContainerClient(_container);

    private BlobStateStore NewStore(RetentionOptions? retention = null)
    {
        var options = new BlobClientOptions();
        options.AddPolicy(_downloads, HttpPipelinePosition.PerCall);
        return new BlobStateStore(
            new BlobServiceClient(azurite.ConnectionString, options),
            new BlobStateStoreOptions { ContainerName = _container, Retention = retention ?? new RetentionOptions() },
            _time);
    }

    [Fact]
    public async Task SaveRunAsync_EndedRunBeyondRunCount_KeepsTheNewestRecords()
    {
        var store = NewStore(new RetentionOptions { RunCount = 3 });

        for (var i = 0; i < 5; i++)
        {
            await store.SaveRunAsync(Ended("run" + i, _time.GetUtcNow()), Ct);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(["run4", "run3", "run2"], (await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", Ct))).Select(r => r.Id));
    }

    [Fact]
    public async Task SaveRunAsync_RunStillRunning_PrunesNothing()
    {
        var store = NewStore(new RetentionOptions { RunCount = 1 });
        await store.SaveRunAsync(BlobStateStoreTests.Run("hello", "a", _time.GetUtcNow()), Ct);

        await store.SaveRunAsync(BlobStateStoreTests.Run("hello", "b", _time.GetUtcNow().AddSeconds(1)), Ct);

        Assert.Equal(2, (await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", Ct))).Count);
    }

    [Fact]
    public async Task SaveRunAsync_RunsOlderThanRunDays_AreDeleted()
    {
        var store = NewStore(new RetentionOptions { RunDays = 2 });
        await store.SaveRunAsync(Ended("old", _time.GetUtcNow()), Ct);
        _time.Advance(TimeSpan.FromDays(1));
        await store.SaveRunAsync(Ended("middle", _time.GetUtcNow()), Ct);
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        await store.SaveRunAsync(Ended("new", _time.GetUtcNow()), Ct);

        Assert.Equal(["new", "middle"], (await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", Ct))).Select(r => r.Id));
    }

    [Fact]
    public async Task SaveRunAsync_HistoryBeyondHistoryCount_KeepsTheNewestCheckpoints()
    {
        var store = NewStore(new RetentionOptions { HistoryCount = 2 });
        string? version = null;
        for (var i = 1; i <= 5; i++)
        {
            version = (await store.WriteAsync("hello", new JsonObject { ["cursor"] = i }, version, Ct)).Version;
        }

        await store.SaveRunAsync(Ended("run", _time.GetUtcNow()), Ct);

        Assert.Equal(["5", "4"], (await BlobStateStoreTests.ToListAsync(store.HistoryAsync("hello", Ct))).Select(s => s.Version));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.RollbackAsync("hello", "3", Ct));
        Assert.Equal(5, (await store.ReadAsync("hello", Ct)).State["cursor"]!.GetValue<int>());
    }

    [Fact]
    public async Task SaveRunAsync_HistoryOlderThanHistoryDays_IsDeleted()
    {
        var store = NewStore(new RetentionOptions { HistoryDays = 1 });
        var first = await store.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await store.WriteAsync("hello", new JsonObject { ["cursor"] = 2 }, first.Version, Ct);

        await store.SaveRunAsync(Ended("run", _time.GetUtcNow()), Ct);

        Assert.Equal(["2"], (await BlobStateStoreTests.ToListAsync(store.HistoryAsync("hello", Ct))).Select(s => s.Version));
    }

    [Fact]
    public async Task SaveRunAsync_OtherConnector_IsNotPruned()
    {
        var store = NewStore(new RetentionOptions { RunCount = 1 });
        await store.SaveRunAsync(Ended("a", _time.GetUtcNow(), "synthetic"), Ct);
        await store.SaveRunAsync(Ended("b", _time.GetUtcNow().AddSeconds(1), "synthetic"), Ct);

        await store.SaveRunAsync(Ended("c", _time.GetUtcNow().AddSeconds(2)), Ct);

        Assert.Single(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("hello", Ct)));
        Assert.Single(await BlobStateStoreTests.ToListAsync(store.ListRunsAsync("synthetic", Ct)));
    }

    [Fact]
    public async Task Blobs_HistoryAndRuns_CarryTheLifecycleTagButStateDoesNot()
    {
        var store = NewStore();
        await store.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);
        await store.SaveRunAsync(BlobStateStoreTests.Run("hello", "a", _time.GetUtcNow()), Ct);

        var tags = new Dictionary<string, string>();
        await foreach (var item in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = "connectors/hello/" }))
        {
            var blobTags = (await Container.GetBlobClient(item.Name).GetTagsAsync()).Value.Tags;
            tags[item.Name.Split('/')[2]] = blobTags.TryGetValue("tributary-retention", out var value) ? value : "none";
        }

        Assert.Equal(
            new Dictionary<string, string> { ["history"] = "history", ["runs"] = "run", ["state.json"] = "none" },
            tags);
    }

    [Fact]
    public async Task ListRunsAsync_Page_DownloadsOnlyTheRecordsItReturns()
    {
        var store = NewStore();
        for (var i = 0; i < 25; i++)
        {
            await store.SaveRunAsync(BlobStateStoreTests.Run("hello", "run" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), _time.GetUtcNow().AddMinutes(i)), Ct);
        }

        _downloads.Reset();
        var first = await store.ListRunsAsync("hello", new RunQuery(10), Ct);
        Assert.Equal(10, _downloads.Runs);
        var second = await store.ListRunsAsync("hello", new RunQuery(10, After: first.Next), Ct);
        var third = await store.ListRunsAsync("hello", new RunQuery(10, After: second.Next), Ct);

        Assert.Equal(25, _downloads.Runs);
        Assert.Equal(
            Enumerable.Range(0, 25).Reverse().Select(i => "run" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)),
            first.Runs.Concat(second.Runs).Concat(third.Runs).Select(r => r.Id));
        Assert.NotNull(second.Next);
        Assert.Null(third.Next);
    }

    [Fact]
    public async Task ListRunsAsync_OneSyncsPage_DownloadsOnlyThatSyncsRecords()
    {
        var store = NewStore();
        for (var i = 0; i < 20; i++)
        {
            var run = new RunRecord { Id = "run" + i, SyncId = i % 5 == 0 ? "wanted" : "other" + i, Connector = "hello", Trigger = "test", StartedAt = _time.GetUtcNow().AddMinutes(i) };
            await store.SaveRunAsync(run, Ct);
        }

        _downloads.Reset();
        var page = await store.ListRunsAsync("hello", new RunQuery(10, SyncId: "wanted"), Ct);

        Assert.Equal(["run15", "run10", "run5", "run0"], page.Runs.Select(r => r.Id));
        Assert.Null(page.Next);
        Assert.Equal(4, _downloads.Runs);
    }

    [Fact]
    public void Constructor_RetentionOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NewStore(new RetentionOptions { RunCount = 0 }));

    private static RunRecord Ended(string id, DateTimeOffset startedAt, string connector = "hello")
    {
        var run = BlobStateStoreTests.Run(connector, id, startedAt);
        run.Outcome = RunOutcome.Succeeded;
        run.EndedAt = startedAt;
        return run;
    }

    /// <summary>Counts downloads of run record blobs (GETs under <c>/runs/</c> that are not listings).</summary>
    private sealed class DownloadCounter : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<string> _gets = new();

        public int Runs => _gets.Count(path => path.Contains("/runs/", StringComparison.Ordinal));

        public void Reset() => _gets.Clear();

        public override void OnSendingRequest(HttpMessage message)
        {
            var uri = message.Request.Uri.ToUri();
            if (message.Request.Method == RequestMethod.Get && !uri.Query.Contains("comp=", StringComparison.Ordinal))
            {
                _gets.Enqueue(uri.AbsolutePath);
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.Azure.Tests.Queue;

/// <summary>A poisoned run message leaves its sync's running records failed, reading only that sync's records.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PoisonedRunRecorderTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private readonly RunDownloads _downloads = new();

    [Fact]
    public async Task RecordAsync_AmongOtherSyncsRuns_DownloadsOnlyThePoisonedSyncsRecordsAndFailsTheRunningOne()
    {
        var store = NewStore();
        await store.SaveRunAsync(Run("continued", "poisoned", RunOutcome.Paused, minutes: 0), Ct);
        await store.SaveRunAsync(Run("stuck", "poisoned", RunOutcome.Running, minutes: 1), Ct);
        for (var i = 0; i < 30; i++)
        {
            await store.SaveRunAsync(Run("other" + i.ToString("D2", CultureInfo.InvariantCulture), "sync" + i, RunOutcome.Running, minutes: 2 + i), Ct);
        }

        _downloads.Reset();
        var failed = await new PoisonedRunRecorder(store, _time).RecordAsync(
            new RunMessage("hello", "schedule", "poisoned").ToBinaryData(), RunQueue.DefaultPoisonName, Ct);

        Assert.Equal(("stuck", RunOutcome.Failed, RunErrorKind.Fatal), (failed!.Id, failed.Outcome, failed.ErrorKind));
        Assert.Equal(2, _downloads.Count);
        var runs = (await store.ListRunsAsync("hello", new RunQuery(100, SyncId: "poisoned"), Ct)).Runs;
        Assert.Equal([("stuck", RunOutcome.Failed), ("continued", RunOutcome.Paused)], runs.Select(r => (r.Id, r.Outcome)));
    }

    [Fact]
    public async Task RecordAsync_RunningRecordBehindAHundredNewerRuns_FailsIt()
    {
        var store = NewStore();
        await store.SaveRunAsync(Run("stuck", "poisoned", RunOutcome.Running, minutes: 0), Ct);
        for (var i = 0; i < 101; i++)
        {
            await store.SaveRunAsync(Run("other" + i.ToString("D3", CultureInfo.InvariantCulture), "sync" + i, RunOutcome.Running, minutes: 1 + i), Ct);
        }

        var failed = await new PoisonedRunRecorder(store, _time).RecordAsync(
            new RunMessage("hello", "schedule", "poisoned").ToBinaryData(), RunQueue.DefaultPoisonName, Ct);

        Assert.Equal("stuck", failed!.Id);
        Assert.Equal([RunOutcome.Failed], (await store.ListRunsAsync("hello", new RunQuery(100, SyncId: "poisoned"), Ct)).Runs.Select(r => r.Outcome));
    }

    private BlobStateStore NewStore()
    {
        var options = new BlobClientOptions();
        options.AddPolicy(_downloads, HttpPipelinePosition.PerCall);
        return new BlobStateStore(
            new BlobServiceClient(azurite.ConnectionString, options),
            new BlobStateStoreOptions { ContainerName = "state-" + Guid.NewGuid().ToString("N")[..12] },
            _time);
    }

    private RunRecord Run(string id, string syncId, RunOutcome outcome, int minutes) => new()
    {
        Id = id,
        SyncId = syncId,
        Connector = "hello",
        Trigger = "schedule",
        StartedAt = _time.GetUtcNow().AddMinutes(minutes),
        EndedAt = outcome == RunOutcome.Running ? null : _time.GetUtcNow().AddMinutes(minutes),
        Outcome = outcome,
    };

    /// <summary>Counts downloads of run record blobs (GETs under <c>/runs/</c> that are not listings).</summary>
    private sealed class RunDownloads : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<string> _gets = new();

        public int Count => _gets.Count(path => path.Contains("/runs/", StringComparison.Ordinal));

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

using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.Azure.Tests.State;

[Collection(AzuriteCollection.Name)]
public sealed class BlobStateStoreTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _container = "state-" + Guid.NewGuid().ToString("N")[..12];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    private BlobStateStore NewStore() => new(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = _container }, _time);

    private BlobContainerClient Container => azurite.CreateBlobServiceClient().GetBlobContainerClient(_container);

    [Fact]
    public async Task ReadAsync_NothingSaved_ReturnsEmptyStateWithoutVersion()
    {
        var snapshot = await NewStore().ReadAsync("hello", Ct);

        Assert.Empty(snapshot.State);
        Assert.Null(snapshot.Version);
        Assert.Null(snapshot.SavedAt);
    }

    [Fact]
    public async Task WriteAsync_Sequence_SavesEnvelopeAndVersions()
    {
        var store = NewStore();

        var first = await store.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);
        var second = await store.WriteAsync("hello", new JsonObject { ["cursor"] = 2 }, first.Version, Ct);
        var read = await NewStore().ReadAsync("hello", Ct);

        Assert.Equal(("1", "2"), (first.Version, second.Version));
        Assert.Equal("2", read.Version);
        Assert.Equal(2, read.State["cursor"]!.GetValue<int>());
        Assert.Equal(_time.GetUtcNow(), read.SavedAt);
        var blob = (await Container.GetBlobClient("connectors/hello/state.json").DownloadContentAsync()).Value;
        Assert.Equal("application/json", blob.Details.ContentType);
        Assert.Equal("2", JsonNode.Parse(blob.Content.ToString())!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task WriteAsync_StaleETag_IsRefusedAndNewerStateKept()
    {
        var writer = NewStore();
        var saved = await writer.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);

        // Another process replaces state.json behind this store's back: the store still holds the old ETag for version 1.
        var newer = """{"version":"1","savedAt":"2026-11-27T09:00:00+00:00","state":{"cursor":"from-elsewhere"}}""";
        await Container.GetBlobClient("connectors/hello/state.json").UploadAsync(BinaryData.FromString(newer), overwrite: true);

        var refused = await Assert.ThrowsAsync<StateConflictException>(
            () => writer.WriteAsync("hello", new JsonObject { ["cursor"] = 2 }, saved.Version, Ct));

        Assert.Equal(412, Assert.IsType<RequestFailedException>(refused.InnerException).Status);
        Assert.Equal("from-elsewhere", (await NewStore().ReadAsync("hello", Ct)).State["cursor"]!.GetValue<string>());
    }

    [Fact]
    public async Task WriteAsync_StaleExpectedVersion_IsRefused()
    {
        var a = NewStore();
        var b = NewStore();
        var first = await a.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);
        Assert.Equal("1", (await b.ReadAsync("hello", Ct)).Version);
        await a.WriteAsync("hello", new JsonObject { ["cursor"] = 2 }, first.Version, Ct);

        await Assert.ThrowsAsync<StateConflictException>(() => b.WriteAsync("hello", new JsonObject { ["cursor"] = 99 }, first.Version, Ct));

        var current = await NewStore().ReadAsync("hello", Ct);
        Assert.Equal(("2", 2), (current.Version, current.State["cursor"]!.GetValue<int>()));
    }

    [Fact]
    public async Task WriteAsync_ConcurrentFirstWrites_ExactlyOneWins()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => NewStore()).ToList();

        var results = await Task.WhenAll(stores.Select(async (store, i) =>
        {
            try
            {
                await store.WriteAsync("hello", new JsonObject { ["writer"] = i }, null, Ct);
                return true;
            }
            catch (StateConflictException)
            {
                return false;
            }
        }));

        Assert.Single(results, won => won);
        var winner = Array.IndexOf(results, true);
        Assert.Equal(winner, (await NewStore().ReadAsync("hello", Ct)).State["writer"]!.GetValue<int>());
        Assert.Single(await ToListAsync(NewStore().HistoryAsync("hello", Ct)));
    }

    [Fact]
    public async Task HistoryAsync_EveryCheckpoint_NewestFirst()
    {
        var store = NewStore();
        string? version = null;
        for (var cursor = 1; cursor <= 3; cursor++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            version = (await store.WriteAsync("hello", new JsonObject { ["cursor"] = cursor }, version, Ct)).Version;
        }

        var history = await ToListAsync(NewStore().HistoryAsync("hello", Ct));

        Assert.Equal(["3", "2", "1"], history.Select(h => h.Version));
        Assert.Equal([3, 2, 1], history.Select(h => h.State["cursor"]!.GetValue<int>()));
        Assert.True(history[0].SavedAt > history[2].SavedAt);
    }

    [Fact]
    public async Task RollbackAsync_EarlierVersion_BecomesNewCurrentVersion()
    {
        var store = NewStore();
        string? version = null;
        for (var cursor = 1; cursor <= 3; cursor++)
        {
            version = (await store.WriteAsync("hello", new JsonObject { ["cursor"] = cursor }, version, Ct)).Version;
        }

        var rolledBack = await NewStore().RollbackAsync("hello", "1", Ct);
        var current = await store.ReadAsync("hello", Ct);
        var history = await ToListAsync(store.HistoryAsync("hello", Ct));

        Assert.Equal("4", rolledBack.Version);
        Assert.Equal(("4", 1), (current.Version, current.State["cursor"]!.GetValue<int>()));
        Assert.Equal(["4", "3", "2", "1"], history.Select(h => h.Version));

        // A writer that still expects version 3 is refused after the rollback.
        await Assert.ThrowsAsync<StateConflictException>(() => store.WriteAsync("hello", new JsonObject { ["cursor"] = 4 }, "3", Ct));
    }

    [Theory]
    [InlineData("99")]
    [InlineData("abc")]
    [InlineData("0")]
    public async Task RollbackAsync_UnknownVersion_ThrowsKeyNotFound(string version)
    {
        var store = NewStore();
        await store.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => store.RollbackAsync("hello", version, Ct));

        Assert.Contains($"'{version}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", (await store.ReadAsync("hello", Ct)).Version);
    }

    [Fact]
    public async Task ResetAsync_SavedStateAndRuns_ClearsStateAndHistoryKeepsRuns()
    {
        var store = NewStore();
        var saved = await store.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);
        await store.WriteAsync("hello", new JsonObject { ["cursor"] = 2 }, saved.Version, Ct);
        await store.SaveRunAsync(Run("hello", "run1", _time.GetUtcNow()), Ct);

        await store.ResetAsync("hello", Ct);

        Assert.Null((await store.ReadAsync("hello", Ct)).Version);
        Assert.Empty(await ToListAsync(store.HistoryAsync("hello", Ct)));
        Assert.Single(await ToListAsync(store.ListRunsAsync("hello", Ct)));
        Assert.Equal("1", (await store.WriteAsync("hello", new JsonObject { ["cursor"] = 9 }, null, Ct)).Version);
    }

    [Fact]
    public async Task ListRunsAsync_SavedAndUpdatedRuns_NewestFirstOneRecordEach()
    {
        var store = NewStore();
        var start = _time.GetUtcNow();
        var older = Run("hello", "older", start);
        var newer = Run("hello", "newer", start.AddMinutes(5));
        await store.SaveRunAsync(older, Ct);
        await store.SaveRunAsync(newer, Ct);
        older.Outcome = RunOutcome.Succeeded;
        older.EndedAt = start.AddMinutes(1);
        await store.SaveRunAsync(older, Ct);

        var runs = await ToListAsync(NewStore().ListRunsAsync("hello", Ct));

        Assert.Equal(["newer", "older"], runs.Select(r => r.Id));
        Assert.Equal(RunOutcome.Succeeded, runs[1].Outcome);
        Assert.Empty(await ToListAsync(store.ListRunsAsync("synthetic", Ct)));
    }

    [Fact]
    public async Task Store_NotAConnectorName_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => NewStore().ReadAsync("../etc", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => NewStore().AcquireLeaseAsync("Hello", Ct));
    }

    [Fact]
    public async Task WriteAsync_BlobLayout_StateHistoryRunsAndLeaseUnderConnectorFolder()
    {
        var store = NewStore();
        await store.WriteAsync("hello", new JsonObject { ["cursor"] = 1 }, null, Ct);
        await store.SaveRunAsync(Run("hello", "r1", _time.GetUtcNow()), Ct);
        await (await store.AcquireLeaseAsync("hello", Ct)).DisposeAsync();

        var names = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync(new GetBlobsOptions()))
        {
            names.Add(blob.Name);
        }

        Assert.Equal(4, names.Count);
        Assert.Contains("connectors/hello/state.json", names);
        Assert.Contains("connectors/hello/history/000000000001.json", names);
        Assert.Contains("connectors/hello/lease", names);
        Assert.Single(names, n => n.StartsWith("connectors/hello/runs/", StringComparison.Ordinal) && n.EndsWith("-r1.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryReserveRunAsync_ConcurrentRequests_ExactlyOneReserves()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => NewStore()).ToList();

        var holders = await Task.WhenAll(stores.Select((store, i) => store.TryReserveRunAsync("hello", $"sync-{i}", TimeSpan.FromMinutes(15), Ct)));

        var winner = Assert.Single(Enumerable.Range(0, 6), i => holders[i] is null);
        Assert.All(holders.Where(h => h is not null), h => Assert.Equal($"sync-{winner}", h));
    }

    [Fact]
    public async Task TryReserveRunAsync_HolderAgainStaleOrReleased_Reserves()
    {
        var store = NewStore();
        Assert.Null(await store.TryReserveRunAsync("hello", "a", TimeSpan.FromMinutes(15), Ct));

        Assert.Null(await store.TryReserveRunAsync("hello", "a", TimeSpan.FromMinutes(15), Ct));   // a continuation refreshes it
        Assert.Equal("a", await store.TryReserveRunAsync("hello", "b", TimeSpan.FromMinutes(15), Ct));
        await store.ReleaseRunReservationAsync("hello", "b", Ct);                                   // not b's to release
        Assert.Equal("a", await store.TryReserveRunAsync("hello", "b", TimeSpan.FromMinutes(15), Ct));

        _time.Advance(TimeSpan.FromMinutes(15));                                                     // a's message was lost
        Assert.Null(await store.TryReserveRunAsync("hello", "b", TimeSpan.FromMinutes(15), Ct));
        await store.ReleaseRunReservationAsync("hello", "b", Ct);
        Assert.Null(await store.TryReserveRunAsync("hello", "c", TimeSpan.FromMinutes(15), Ct));
    }

    internal static RunRecord Run(string connector, string id, DateTimeOffset startedAt) => new()
    {
        Id = id,
        SyncId = id,
        Connector = connector,
        Trigger = "test",
        StartedAt = startedAt,
    };

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}

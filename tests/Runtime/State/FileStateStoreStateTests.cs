using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;

namespace Tributary.Runtime.Tests.State;

/// <summary>State, its conditional writes, its history, rollback and reset.</summary>
public sealed class FileStateStoreStateTests : IDisposable
{
    private const string Connector = "my_connector";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero));

    private FileStateStore Store() => new(_directory.Path, _time);

    private static JsonObject State(int cursor) => new() { ["cursor"] = cursor };

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ReadAsync_NothingSaved_EmptyStateWithoutVersion()
    {
        var snapshot = await Store().ReadAsync(Connector, None);

        Assert.Empty(snapshot.State);
        Assert.Null(snapshot.Version);
        Assert.Null(snapshot.SavedAt);
    }

    [Fact]
    public async Task WriteAsync_FirstWrite_Version1AndReadBack()
    {
        var saved = await Store().WriteAsync(Connector, State(1), expectedVersion: null, None);

        Assert.Equal("1", saved.Version);
        Assert.Equal(_time.GetUtcNow(), saved.SavedAt);
        var read = await Store().ReadAsync(Connector, None);
        Assert.Equal("1", read.Version);
        Assert.Equal(_time.GetUtcNow(), read.SavedAt);
        RunAssert.JsonEqual("""{"cursor":1}""", read.State);
    }

    [Fact]
    public async Task WriteAsync_ExpectedCurrentVersion_IncrementsVersion()
    {
        var store = Store();
        var first = await store.WriteAsync(Connector, State(1), null, None);

        var second = await store.WriteAsync(Connector, State(2), first.Version, None);

        Assert.Equal("2", second.Version);
        RunAssert.JsonEqual("""{"cursor":2}""", (await store.ReadAsync(Connector, None)).State);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    [InlineData("7")]
    public async Task WriteAsync_StaleExpectedVersion_ThrowsStateConflictAndKeepsState(string? stale)
    {
        var store = Store();
        var v1 = await store.WriteAsync(Connector, State(1), null, None);
        await store.WriteAsync(Connector, State(2), v1.Version, None);

        await Assert.ThrowsAsync<StateConflictException>(() => store.WriteAsync(Connector, State(99), stale, None));

        var read = await store.ReadAsync(Connector, None);
        Assert.Equal("2", read.Version);
        RunAssert.JsonEqual("""{"cursor":2}""", read.State);
    }

    [Fact]
    public async Task WriteAsync_TwoStoresSameFolderRacing_ExactlyOneWins()
    {
        var writes = new[] { Store(), Store() }.Select((store, i) => store.WriteAsync(Connector, State(i), null, None)).ToList();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w;
                return true;
            }
            catch (StateConflictException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        Assert.Equal("1", (await Store().ReadAsync(Connector, None)).Version);
    }

    [Fact]
    public async Task WriteAsync_CallerMutatesStateLater_SavedCopyUnchanged()
    {
        var state = State(1);
        await Store().WriteAsync(Connector, state, null, None);

        state["cursor"] = 2;

        RunAssert.JsonEqual("""{"cursor":1}""", (await Store().ReadAsync(Connector, None)).State);
    }

    [Fact]
    public async Task HistoryAsync_ThreeWrites_NewestFirst()
    {
        var store = Store();
        string? version = null;
        for (var i = 1; i <= 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            version = (await store.WriteAsync(Connector, State(i), version, None)).Version;
        }

        var history = await ToListAsync(store.HistoryAsync(Connector, None));

        Assert.Equal(["3", "2", "1"], history.Select(h => h.Version));
        Assert.Equal([3, 2, 1], history.Select(h => h.State["cursor"]!.GetValue<int>()));
        Assert.True(history[0].SavedAt > history[1].SavedAt);
    }

    [Fact]
    public async Task HistoryAsync_MoreThanNineVersions_StillNewestFirst()
    {
        var store = Store();
        string? version = null;
        for (var i = 1; i <= 12; i++)
        {
            version = (await store.WriteAsync(Connector, State(i), version, None)).Version;
        }

        var history = await ToListAsync(store.HistoryAsync(Connector, None));

        Assert.Equal(Enumerable.Range(1, 12).Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), history.Select(h => h.Version));
    }

    [Fact]
    public async Task RollbackAsync_OldVersion_SavedAsNewVersionWithOldState()
    {
        var store = Store();
        var v1 = await store.WriteAsync(Connector, State(1), null, None);
        var v2 = await store.WriteAsync(Connector, State(2), v1.Version, None);

        var rolledBack = await store.RollbackAsync(Connector, "1", None);

        Assert.Equal("3", rolledBack.Version);
        var read = await store.ReadAsync(Connector, None);
        Assert.Equal("3", read.Version);
        RunAssert.JsonEqual("""{"cursor":1}""", read.State);
        Assert.Equal(["3", "2", "1"], (await ToListAsync(store.HistoryAsync(Connector, None))).Select(h => h.Version));
        Assert.Equal("2", v2.Version);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("abc")]
    [InlineData("../x")]
    public async Task RollbackAsync_UnknownVersion_ThrowsKeyNotFound(string version)
    {
        var store = Store();
        await store.WriteAsync(Connector, State(1), null, None);

        var ex = await Assert.ThrowsAsync<KeyNotFoundException>(() => store.RollbackAsync(Connector, version, None));

        Assert.Contains(version, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetAsync_AfterWrites_EmptyStateNoHistoryRunsKept()
    {
        var store = Store();
        await store.WriteAsync(Connector, State(1), null, None);
        await store.SaveRunAsync(FileStateStoreRunTests.Run(Connector, _time.GetUtcNow()), None);

        await store.ResetAsync(Connector, None);

        var read = await store.ReadAsync(Connector, None);
        Assert.Empty(read.State);
        Assert.Null(read.Version);
        Assert.Empty(await ToListAsync(store.HistoryAsync(Connector, None)));
        Assert.Single(await ToListAsync(store.ListRunsAsync(Connector, None)));
        Assert.Equal("1", (await store.WriteAsync(Connector, State(5), null, None)).Version);
    }

    [Fact]
    public async Task ResetAsync_NeverSynced_DoesNothing()
    {
        await Store().ResetAsync("never_ran", None);

        Assert.Null((await Store().ReadAsync("never_ran", None)).Version);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2]")]
    [InlineData("""{"version": "1"}""")]
    [InlineData("""{"version": "1", "state": [1]}""")]
    public async Task ReadAsync_CorruptStateFile_ThrowsInvalidDataNamingFile(string content)
    {
        var folder = Path.Combine(_directory.Path, "connectors", Connector);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "state.json");
        await File.WriteAllTextAsync(path, content);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => Store().ReadAsync(Connector, None));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("My-Connector")]
    [InlineData("../escape")]
    public async Task ReadAsync_NameNotSnakeCase_ThrowsArgumentException(string connector)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store().ReadAsync(connector, None));
    }

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

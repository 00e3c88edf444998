using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Support;

/// <summary>
/// The engine under test with fakes around it: an in-memory destination, a real <see cref="FileStateStore"/> in a
/// temporary directory (wrapped to record writes), a <see cref="FakeTimeProvider"/> that reports its timers, and a <see cref="FakeLogCollector"/>.
/// Each run is one sync with a fresh <see cref="SyncRunner"/>; destination and state persist.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    public const string Connector = "test_connector";

    /// <summary>A guard against a hung engine only; no test waits for it to pass.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _directory = new();

    public EngineHarness()
    {
        Time = new WatchedTimeProvider(new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero));
        Destination = new InMemoryDestination(Events);
        FileStore = new FileStateStore(_directory.Path, Time);
        Store = new RecordingStateStore(FileStore, Events);
    }

    public string Root => _directory.Path;

    public WatchedTimeProvider Time { get; }

    public EventLog Events { get; } = new();

    public InMemoryDestination Destination { get; }

    public FileStateStore FileStore { get; }

    public RecordingStateStore Store { get; }

    public SyncRunnerOptions Options { get; } = new();

    public ISecretStore? Secrets { get; set; }

    public FakeLogCollector Logs { get; } = new();

    public Task<RunRecord> RunAsync(Connector connector, Func<SyncRequest, SyncRequest>? configure = null, ConnectorConfiguration? configuration = null)
    {
        var runner = new SyncRunner(Destination, Store, Options, Secrets, Time, new FakeLoggerFactory(Logs));
        var request = new SyncRequest(Connector, connector, configuration ?? ConnectorConfiguration.Empty);
        return runner.RunAsync(configure is null ? request : configure(request), CancellationToken.None).WaitAsync(HangGuard);
    }

    public Task<RunRecord> RunAsync(Func<SyncContext, CancellationToken, Task> update, params TableDefinition[] tables) =>
        RunAsync(new TestConnector(update, tables));

    public async Task<StateSnapshot> ReadStateAsync() => await FileStore.ReadAsync(Connector, CancellationToken.None);

    public async Task<List<RunRecord>> RunsAsync()
    {
        var runs = new List<RunRecord>();
        await foreach (var run in FileStore.ListRunsAsync(Connector, CancellationToken.None))
        {
            runs.Add(run);
        }

        return runs;
    }

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(string table) => Destination.Rows(Connector, table);

    /// <summary>The live (not soft-deleted) rows of the table.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> LiveRows(string table) =>
        [.. Rows(table).Where(r => r[Options.SystemColumns.Deleted] is false)];

    public static JsonObject State(string json) => JsonNode.Parse(json)!.AsObject();

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Connectors.Tests.Support;

/// <summary>
/// Runs one connector through the real engine into a real DuckDB file, in a temporary directory of its own
/// that is deleted afterwards. Each <see cref="RunAsync"/> is one sync with fresh engine objects, as two
/// separate <c>tributary debug</c> calls would be; state and warehouse persist in between.
/// </summary>
public sealed class ConnectorHarness : IAsyncDisposable
{
    /// <summary>The clock's start: 2024-09-15T12:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2024, 9, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    /// <param name="connectorName">The registered name.</param>
    /// <param name="now">The clock's start; <see cref="DefaultNow"/> when omitted.</param>
    public ConnectorHarness(string connectorName, DateTimeOffset? now = null)
    {
        ConnectorName = connectorName;
        Time = new FakeTimeProvider(now ?? DefaultNow);
        FilesDirectory = Directory.CreateTempSubdirectory("tributary-connectors-tests-").FullName;
        Warehouse = new Warehouse(Path.Combine(FilesDirectory, "warehouse.db"));
        Secrets = new LocalSecretStore(FilesDirectory);
    }

    /// <summary>The registered name; also the DuckDB schema the connector's tables live in.</summary>
    public string ConnectorName { get; }

    /// <summary>Holds <c>warehouse.db</c>, the state and the run records.</summary>
    public string FilesDirectory { get; }

    public Warehouse Warehouse { get; }

    /// <summary>The connection's secrets (keyed by <see cref="ConnectorName"/>): a local secrets file unless a test sets another
    /// store, for example a Key Vault one over <see cref="FakeKeyVault"/>.</summary>
    public ISecretStore Secrets { get; init; }

    /// <summary>Every log line of every sync, the engine's and the connector's, at every level.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The engine's and the connector's clock; advance it between syncs.</summary>
    public FakeTimeProvider Time { get; }

    public CancellationToken CancellationToken => _timeout.Token;

    /// <summary>Runs one sync of <paramref name="connector"/> and returns its run record.</summary>
    /// <param name="connector">The connector.</param>
    /// <param name="configuration">The connection's configuration; empty when omitted.</param>
    /// <param name="killAfterOperations">When set, the sync dies at its next operation after this many
    /// (<see cref="KilledConnector"/>): the run fails, and nothing after that point is written or checkpointed.</param>
    public async Task<RunRecord> RunAsync(
        Connector connector, IReadOnlyDictionary<string, string>? configuration = null, int? killAfterOperations = null)
    {
        if (killAfterOperations is { } operations)
        {
            connector = new KilledConnector(connector, operations);
        }

        var store = new FileStateStore(FilesDirectory);
        await using var warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = Warehouse.DatabasePath });
        using var loggerFactory = Logs.CreateFactory();
        var runner = new SyncRunner(warehouse, store, new SyncRunnerOptions(), Secrets, Time, loggerFactory);
        var request = new SyncRequest(
            ConnectorName,
            connector,
            configuration is null ? ConnectorConfiguration.Empty : new ConnectorConfiguration(configuration));
        return await runner.RunAsync(request, CancellationToken);
    }

    /// <summary>Stores a secret of this connection, as an operator would before the first sync.</summary>
    public ValueTask SetSecretAsync(string name, string value) => Secrets.SetAsync(ConnectorName, name, value, CancellationToken);

    /// <summary>A secret's current value (a rotated token written back by a sync), or null.</summary>
    public ValueTask<string?> GetSecretAsync(string name) => Secrets.GetAsync(ConnectorName, name, CancellationToken);

    /// <summary>The saved state; an empty object before the first checkpoint.</summary>
    public async Task<JsonObject> ReadStateAsync() =>
        (await new FileStateStore(FilesDirectory).ReadAsync(ConnectorName, CancellationToken)).State;

    public Task<IReadOnlyDictionary<string, string>> ColumnTypesAsync(string table) =>
        Warehouse.ColumnTypesAsync(ConnectorName, table, CancellationToken);

    public Task<bool> TableExistsAsync(string table) => Warehouse.TableExistsAsync(ConnectorName, table, CancellationToken);

    /// <summary>Every row of <paramref name="table"/>, system columns included, in <paramref name="orderBy"/> order.</summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> RowsAsync(string table, string orderBy) =>
        Warehouse.QueryAsync($"SELECT * FROM \"{ConnectorName}\".\"{table}\" ORDER BY {orderBy}", CancellationToken);

    /// <summary>
    /// Every row of <paramref name="table"/> in <paramref name="orderBy"/> order as one line of <c>column=value</c> pairs (by
    /// column name), without the time each was written: what a sync killed and rerun must match of a clean sync's tables.
    /// </summary>
    public async Task<List<string>> ContentsAsync(string table, string orderBy) =>
        [.. (await RowsAsync(table, orderBy)).Select(row => string.Join(
            '|', row.Where(c => c.Key != RunAssert.Synced).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")))];

    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql) =>
        Warehouse.QueryAsync(sql, CancellationToken);

    /// <summary><c>"schema"."table"</c> for this connector, for hand-written SQL.</summary>
    public string Qualified(string table) => $"\"{ConnectorName}\".\"{table}\"";

    public async ValueTask DisposeAsync()
    {
        Logs.Dispose();
        await _timeout.CancelAsync();
        _timeout.Dispose();
        try
        {
            Directory.Delete(FilesDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}

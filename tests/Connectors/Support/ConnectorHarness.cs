using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
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
    }

    /// <summary>The registered name; also the DuckDB schema the connector's tables live in.</summary>
    public string ConnectorName { get; }

    /// <summary>Holds <c>warehouse.db</c>, the state and the run records.</summary>
    public string FilesDirectory { get; }

    public Warehouse Warehouse { get; }

    /// <summary>The engine's and the connector's clock; advance it between syncs.</summary>
    public FakeTimeProvider Time { get; }

    public CancellationToken CancellationToken => _timeout.Token;

    /// <summary>Runs one sync of <paramref name="connector"/> and returns its run record.</summary>
    public async Task<RunRecord> RunAsync(Connector connector, IReadOnlyDictionary<string, string>? configuration = null)
    {
        var store = new FileStateStore(FilesDirectory);
        await using var warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = Warehouse.DatabasePath });
        var runner = new SyncRunner(warehouse, store, new SyncRunnerOptions(), timeProvider: Time);
        var request = new SyncRequest(
            ConnectorName,
            connector,
            configuration is null ? ConnectorConfiguration.Empty : new ConnectorConfiguration(configuration));
        return await runner.RunAsync(request, CancellationToken);
    }

    /// <summary>The saved state; an empty object before the first checkpoint.</summary>
    public async Task<JsonObject> ReadStateAsync() =>
        (await new FileStateStore(FilesDirectory).ReadAsync(ConnectorName, CancellationToken)).State;

    public Task<IReadOnlyDictionary<string, string>> ColumnTypesAsync(string table) =>
        Warehouse.ColumnTypesAsync(ConnectorName, table, CancellationToken);

    public Task<bool> TableExistsAsync(string table) => Warehouse.TableExistsAsync(ConnectorName, table, CancellationToken);

    /// <summary>Every row of <paramref name="table"/>, system columns included, in <paramref name="orderBy"/> order.</summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> RowsAsync(string table, string orderBy) =>
        Warehouse.QueryAsync($"SELECT * FROM \"{ConnectorName}\".\"{table}\" ORDER BY {orderBy}", CancellationToken);

    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql) =>
        Warehouse.QueryAsync(sql, CancellationToken);

    /// <summary><c>"schema"."table"</c> for this connector, for hand-written SQL.</summary>
    public string Qualified(string table) => $"\"{ConnectorName}\".\"{table}\"";

    public async ValueTask DisposeAsync()
    {
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

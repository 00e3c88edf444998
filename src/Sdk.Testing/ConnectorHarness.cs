using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;

namespace Tributary.Sdk.Testing;

/// <summary>
/// Runs a connector through the real engine into a throwaway DuckDB warehouse, on a fake clock, in a temporary directory
/// of its own that is deleted afterwards. Each <see cref="RunAsync"/> is one sync with fresh engine objects, as two
/// separate <c>tributary debug</c> calls would be; the state, the secrets and the warehouse persist in between.
/// </summary>
/// <example>
/// <code>
/// await using var harness = new ConnectorHarness("acme") { HttpHandler = new FakeAcmeApi() };
/// await harness.SetSecretAsync("api_key", "test-key");
/// RunAssert.Succeeded(await harness.RunAsync(new AcmeConnector(), new Dictionary&lt;string, string&gt; { ["base_url"] = "https://api.acme.test/" }));
/// var rows = await harness.RowsAsync("items", orderBy: "id");
/// </code>
/// </example>
public sealed class ConnectorHarness : IAsyncDisposable
{
    /// <summary>The clock's start when none is given: 2024-09-15T12:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2024, 9, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    /// <param name="connection">The connection's id (lower snake case): its state, its secrets and the warehouse schema its
    /// tables land in.</param>
    /// <param name="now">The clock's start; <see cref="DefaultNow"/> when omitted.</param>
    public ConnectorHarness(string connection, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        Connection = connection;
        Time = new FakeTimeProvider(now ?? DefaultNow);
        FilesDirectory = Directory.CreateTempSubdirectory("tributary-test-").FullName;
        Warehouse = new Warehouse(Path.Combine(FilesDirectory, "warehouse.db"));
        Secrets = new LocalSecretStore(FilesDirectory);
    }

    /// <summary>The connection's id; also the DuckDB schema its tables live in.</summary>
    public string Connection { get; }

    /// <summary>Holds <c>warehouse.db</c>, the state, the run records and the secrets.</summary>
    public string FilesDirectory { get; }

    /// <summary>The DuckDB warehouse the syncs write, read-only through SQL.</summary>
    public Warehouse Warehouse { get; }

    /// <summary>The connection's secrets: a local secrets file unless the test sets another store.</summary>
    public ISecretStore Secrets { get; init; }

    /// <summary>
    /// When set, every HTTP request the connector makes goes through this handler — the context's <c>HttpClient</c>, and a
    /// <c>RestClient</c> built from the context — so a test serves the source's API in memory. Not disposed by the harness.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Every log line of every sync, the engine's and the connector's, at every level.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The engine's and the connector's clock; advance it between syncs, or from a fake source.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>Cancelled two minutes after the harness was created: a hung sync fails its test instead of hanging it.</summary>
    public CancellationToken CancellationToken => _timeout.Token;

    /// <summary>What the connector emitted in the last <see cref="RunAsync"/>, in order; checkpoints once saved.</summary>
    public IReadOnlyList<EmittedOperation> Operations { get; private set; } = [];

    /// <summary>Runs one sync of <paramref name="connector"/> and returns its run record.</summary>
    /// <param name="connector">The connector.</param>
    /// <param name="configuration">The connection's configuration; empty when omitted.</param>
    /// <param name="killAfterOperations">When set, the sync dies at its next operation after this many upserts, updates,
    /// deletes and truncates: the run fails, and nothing after that point is written or checkpointed.</param>
    /// <param name="timeBudget">The run's time budget on <see cref="Time"/>: the first checkpoint after it commits and pauses
    /// the sync (the run's outcome is then <see cref="RunOutcome.Paused"/>).</param>
    public async Task<RunRecord> RunAsync(
        Connector connector,
        IReadOnlyDictionary<string, string>? configuration = null,
        int? killAfterOperations = null,
        TimeSpan? timeBudget = null)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var operations = new List<EmittedOperation>();
        var store = new FileStateStore(FilesDirectory);
        await using var warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = Warehouse.DatabasePath });
        using var loggerFactory = Logs.CreateFactory();
        var runner = new SyncRunner(warehouse, store, new SyncRunnerOptions(), Secrets, Time, loggerFactory);
        var request = new SyncRequest(
            Connection,
            new ObservedConnector(connector, operations, killAfterOperations, HttpHandler),
            configuration is null ? ConnectorConfiguration.Empty : new ConnectorConfiguration(configuration))
        {
            TimeBudget = timeBudget,
        };
        try
        {
            return await runner.RunAsync(request, CancellationToken);
        }
        finally
        {
            Operations = operations;
        }
    }

    /// <summary>Stores a secret of this connection, as an operator would before the first sync.</summary>
    public ValueTask SetSecretAsync(string name, string value) => Secrets.SetAsync(Connection, name, value, CancellationToken);

    /// <summary>A secret's current value (a rotated token written back by a sync), or null.</summary>
    public ValueTask<string?> GetSecretAsync(string name) => Secrets.GetAsync(Connection, name, CancellationToken);

    /// <summary>The saved state; an empty object before the first checkpoint.</summary>
    public async Task<JsonObject> ReadStateAsync() =>
        (await new FileStateStore(FilesDirectory).ReadAsync(Connection, CancellationToken)).State;

    /// <summary>A table's column → DuckDB type map, types lower case (<c>bigint</c>, <c>decimal(15,2)</c>).</summary>
    public Task<IReadOnlyDictionary<string, string>> ColumnTypesAsync(string table) =>
        Warehouse.ColumnTypesAsync(Connection, table, CancellationToken);

    /// <summary>Whether the warehouse has the table.</summary>
    public Task<bool> TableExistsAsync(string table) => Warehouse.TableExistsAsync(Connection, table, CancellationToken);

    /// <summary>The connection's tables in the warehouse, by name.</summary>
    public Task<IReadOnlyList<string>> TablesAsync() => Warehouse.TablesAsync(Connection, CancellationToken);

    /// <summary>Every row of <paramref name="table"/>, system columns included, in <paramref name="orderBy"/> order (SQL).</summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> RowsAsync(string table, string orderBy = "ALL") =>
        Warehouse.QueryAsync($"SELECT * FROM {Qualified(table)} ORDER BY {orderBy}", CancellationToken);

    /// <summary>
    /// Every row of <paramref name="table"/> in <paramref name="orderBy"/> order as one line of <c>column=value</c> pairs (by
    /// column name), without the time each was written: what a sync killed and rerun must match of a clean sync's tables.
    /// </summary>
    public async Task<List<string>> ContentsAsync(string table, string orderBy = "ALL") =>
        [.. (await RowsAsync(table, orderBy)).Select(row => string.Join(
            '|', row.Where(c => c.Key != RunAssert.Synced).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={Text(c.Value)}")))];

    // A value as one culture-free text: ISO 8601 times, invariant numbers, base64 bytes.
    private static string? Text(object? value) => value switch
    {
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString(),
    };

    /// <summary>Runs SQL against the warehouse (read-only) and returns every row as column name → value.</summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql) =>
        Warehouse.QueryAsync(sql, CancellationToken);

    /// <summary><c>"schema"."table"</c> for this connection, for hand-written SQL.</summary>
    public string Qualified(string table) => $"\"{Connection}\".\"{table}\"";

    /// <summary>Deletes the temporary directory (best effort).</summary>
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

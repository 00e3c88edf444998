using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Tributary.Connectors.Hello;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Postgres.Tests;

/// <summary>
/// Every example connector, run through the real engine the same way into DuckDB and into PostgreSQL, leaves the same final
/// tables: the same columns with the same Tributary types and keys, and the same rows, value for value (JSON compared as
/// documents: jsonb keeps no formatting).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConnectorParityTests(PostgresFixture postgres)
{
    private const int Syncs = 4;
    private static readonly DateTimeOffset Start = new(2024, 9, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly ConnectorCatalog Catalog = new(typeof(HelloConnector).Assembly);

    /// <summary>
    /// Values two examples draw at random, as Fivetran's originals do (three_operations keys rows with new GUIDs, errors writes a
    /// random_value into its metadata text): compared as their shape.
    /// </summary>
    private static readonly Regex Random = new(
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=\"random_value\":)[0-9]+",
        RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// The examples that read a service, a database or a cloud store this test does not start (each one's own tests run it
    /// against a fake or a real server of its protocol); every other example makes its own data and runs here.
    /// </summary>
    private static readonly HashSet<string> SourceExamples =
    [
        "accelo", "api_key", "aws_athena_using_boto3", "aws_athena_using_sqlalchemy", "azure_table_storage",
        "base64_encoded_certificate", "blob_csv_validation", "certificate_from_key_vault", "certificate_from_s3", "dynamo_db",
        "export_csv", "gcp_pub_sub", "http_basic", "http_bearer", "hubspot", "key_based_replication", "keyset_pagination",
        "large_data_set", "marketstack", "multiple_tables_with_cursors", "newsapi", "next_page_url_pagination",
        "oauth2_with_token_refresh", "offset_pagination", "page_number_pagination", "pokeapi", "priority_first_sync",
        "records_with_no_created_at_timestamp", "redshift", "s3_csv_validation", "session_token", "smartsheets", "sql_server",
        "toast", "update_and_delete", "using_pd_dataframes", "veeva_vault", "weather",
    ];

    public static TheoryData<string> Connectors() => [.. Catalog.Names.Where(n => !SourceExamples.Contains(n)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Connectors_SourceExamples_AreRegistered() => Assert.Subset(Catalog.Names.ToHashSet(), SourceExamples);

    [Theory]
    [MemberData(nameof(Connectors))]
    public async Task RunAsync_ExampleConnector_LeavesIdenticalTablesInDuckDbAndPostgres(string connector)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var folder = Directory.CreateTempSubdirectory("tributary-parity-").FullName;
        try
        {
            var duckDbPath = Path.Combine(folder, "duckdb", "warehouse.db");
            var connectionString = await postgres.Server.CreateDatabaseAsync(timeout.Token);
            var duckDbOutcomes = await SyncAsync(connector, Path.Combine(folder, "duckdb"),
                () => new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = duckDbPath }), timeout.Token);
            var postgresOutcomes = await SyncAsync(connector, Path.Combine(folder, "postgres"),
                () => new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString }), timeout.Token);

            Assert.Equal(duckDbOutcomes, postgresOutcomes);
            var duckDb = await SnapshotAsync(new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = duckDbPath }), new DuckDbWarehouseReader(duckDbPath), connector, timeout.Token);
            var postgresTables = await SnapshotAsync(new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString }),
                new PostgresWarehouseReader(connectionString), connector, timeout.Token);
            Assert.Equal(duckDb.Keys, postgresTables.Keys);
            foreach (var (table, expected) in duckDb)
            {
                Assert.Equal(expected, postgresTables[table]);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs <see cref="Syncs"/> syncs an hour apart, each with a fresh destination, and returns their outcomes and errors.</summary>
    private static async Task<List<string>> SyncAsync(string connector, string files, Func<IDestination> destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(files);
        var time = new FakeTimeProvider(Start);
        var outcomes = new List<string>();
        for (var sync = 0; sync < Syncs; sync++)
        {
            await using var target = destination();
            var runner = new SyncRunner(target, new FileStateStore(files), new SyncRunnerOptions { BatchSize = 700 }, timeProvider: time);
            var run = await runner.RunAsync(new SyncRequest(connector, Catalog.Create(connector), Configuration(connector)), cancellationToken);
            outcomes.Add($"{run.Outcome} {run.Error}");
            time.Advance(TimeSpan.FromHours(1));
        }

        return outcomes;
    }

    /// <summary>Each table: its columns with types and key, then every row as canonical text, sorted.</summary>
    private static async Task<SortedDictionary<string, List<string>>> SnapshotAsync(
        IDestination destination, WarehouseReader reader, string schema, CancellationToken cancellationToken)
    {
        var snapshot = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await using (destination)
        {
            foreach (var table in await destination.GetTablesAsync(schema, cancellationToken))
            {
                var rows = await reader.RowsAsync(
                    $"SELECT {string.Join(", ", table.Columns.Select(c => WarehouseReader.Quote(c.Name)))} FROM {WarehouseReader.Table(schema, table.Name)}",
                    cancellationToken);
                var json = table.Columns.Select(c => c.Type == ColumnType.Json).ToArray();
                snapshot[table.Name] =
                [
                    $"key ({string.Join(", ", table.PrimaryKey)}) columns {string.Join(", ", table.Columns.Select(c => $"{c.Name} {c.Type}"))}",
                    .. rows.Select(r => Random.Replace(
                            string.Join('|', r.Select((v, i) => json[i] && v is string text ? Values.CanonicalJson(text) : Values.Show(v))), "<random>"))
                        .Order(StringComparer.Ordinal),
                ];
            }
        }

        return snapshot;
    }

    /// <summary>The example's sample <c>configuration.json</c>; small sizes for synthetic.</summary>
    private static ConnectorConfiguration Configuration(string connector)
    {
        if (connector == "synthetic")
        {
            return new ConnectorConfiguration(new Dictionary<string, string> { ["rows"] = "2500", ["checkpoint_every"] = "1000" });
        }

        var folder = Catalog.Create(connector).GetType().Namespace!.Split('.')[^1];
        var path = Path.Combine(AppContext.BaseDirectory, "samples", folder, "configuration.json");
        return File.Exists(path)
            ? new ConnectorConfiguration(JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))!)
            : ConnectorConfiguration.Empty;
    }
}

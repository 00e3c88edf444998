using System.CommandLine;
using Azure.Storage.Blobs;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.Destinations.Delta;
using Tributary.Destinations.DuckDb;
using Tributary.Destinations.Postgres;
using Tributary.Runtime;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;

namespace Tributary.Cli;

/// <summary>
/// The options of every command that reads state or the warehouse, so each means the same everywhere:
/// <c>--files</c>, <c>--state-store</c>, <c>--state-connection-string</c>, <c>--destination</c>, <c>--lake</c>, <c>--connection-string</c>.
/// </summary>
internal sealed class WorkspaceOptions
{
    public Option<DirectoryInfo> Files { get; } = new("--files")
    {
        Description = "Folder of the local warehouse (DIR/warehouse.db), state, run records and secrets.json.",
        DefaultValueFactory = _ => new DirectoryInfo("files"),
    };

    public Option<string> StateStore { get; } = new Option<string>("--state-store")
    {
        Description = "Where state, history, leases and run records live: file (under --files) or blob (Azure Blob Storage).",
        DefaultValueFactory = _ => "file",
    }.AcceptOnlyFromAmong("file", "blob");

    public Option<string> StateConnectionString { get; } = new("--state-connection-string")
    {
        Description = "The Blob state store's connection string, for --state-store blob.",
        DefaultValueFactory = _ => "UseDevelopmentStorage=true",
    };

    public Option<string> Destination { get; } = new Option<string>("--destination")
    {
        Description = "Where rows land: duckdb (DIR/warehouse.db), delta (Delta Lake tables under --lake) or postgres (--connection-string).",
        DefaultValueFactory = _ => "duckdb",
    }.AcceptOnlyFromAmong("duckdb", "delta", "postgres");

    public Option<DirectoryInfo?> Lake { get; } = new("--lake")
    {
        Description = "Folder of the Delta Lake tables (LAKE/<schema>/<table>/), for --destination delta. Default: DIR/lake, under --files.",
    };

    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = "The PostgreSQL connection string, for --destination postgres.",
    };

    /// <summary>Adds the state options, and the warehouse options when the command touches the warehouse.</summary>
    public void AddTo(Command command, bool warehouse)
    {
        command.Add(Files);
        command.Add(StateStore);
        command.Add(StateConnectionString);
        if (warehouse)
        {
            command.Add(Destination);
            command.Add(Lake);
            command.Add(ConnectionString);
        }
    }

    /// <summary>The state store the options name: files under <c>--files</c>, or the Blob container <c>tributary-state</c>.</summary>
    public IStateStore OpenStore(ParseResult result, TimeProvider time)
    {
        if (result.GetRequiredValue(StateStore) == "file")
        {
            return new FileStateStore(result.GetRequiredValue(Files).FullName, time);
        }

        try
        {
            return new BlobStateStore(new BlobServiceClient(result.GetRequiredValue(StateConnectionString)), timeProvider: time);
        }
        catch (FormatException ex)
        {
            throw new CliException($"--state-connection-string is not a storage connection string: {ex.Message}", ex);
        }
    }

    /// <summary>A runner's options for <paramref name="store"/>: with the Blob store, storage 5xx and timeouts are transient errors.</summary>
    public static SyncRunnerOptions RunnerOptions(IStateStore store) =>
        new() { IsTransient = store is BlobStateStore ? AzureErrors.IsTransient : null };

    /// <summary>The state store, the secrets and the warehouse the options name.</summary>
    public Workspace Open(ParseResult result, TimeProvider time)
    {
        var root = result.GetRequiredValue(Files).FullName;
        var store = OpenStore(result, time);
        IDestination warehouse;
        string name;
        var destination = result.GetRequiredValue(Destination);
        if (destination != "delta" && result.GetValue(Lake) is not null)
        {
            throw new CliException($"--lake is the folder of the Delta tables; it needs --destination delta (the destination is {destination}).");
        }

        if (destination == "postgres")
        {
            (warehouse, name) = OpenPostgres(result.GetValue(ConnectionString));
        }
        else if (destination == "delta")
        {
            var lake = result.GetValue(Lake)?.FullName ?? Path.Combine(root, "lake");
            name = $"Delta lake {lake}";
            warehouse = new DeltaDestination(new DeltaDestinationOptions { Folder = lake, TimeProvider = time });
        }
        else
        {
            name = Path.Combine(root, "warehouse.db");
            warehouse = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = name });
        }

        Directory.CreateDirectory(root);
        return new Workspace(store, new LocalSecretStore(root), warehouse, name);
    }

    private static (IDestination, string) OpenPostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new CliException("--destination postgres needs --connection-string, e.g. \"Host=localhost;Database=tributary;Username=me;Password=…\".");
        }

        try
        {
            var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString });
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return (destination, $"PostgreSQL database {builder.Database ?? builder.Username} on {builder.Host}:{builder.Port}");   // never the password
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message, ex);
        }
    }
}

/// <summary>What a sync command works on: the state store, the connector secrets and the warehouse.</summary>
/// <param name="Store">State, history, leases and run records.</param>
/// <param name="Secrets">Local secrets: environment variables or <c>DIR/secrets.json</c>.</param>
/// <param name="Warehouse">Where rows land.</param>
/// <param name="WarehouseName">The warehouse for messages: the DuckDB file, the Delta lake's folder, or the PostgreSQL database without credentials.</param>
internal sealed record Workspace(IStateStore Store, ISecretStore Secrets, IDestination Warehouse, string WarehouseName) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Warehouse.DisposeAsync();
}

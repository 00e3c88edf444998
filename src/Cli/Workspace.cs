using Tributary.Destinations.DuckDb;
using Tributary.Destinations.Postgres;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;

namespace Tributary.Cli;

/// <summary>
/// What a command reads and writes: the state store, run records and secrets under <c>--files DIR</c>, and the
/// warehouse — <c>DIR/warehouse.db</c> (DuckDB) or the PostgreSQL database of <c>--connection-string</c>.
/// </summary>
internal sealed class Workspace : IAsyncDisposable
{
    public Workspace(DirectoryInfo files, string destination, string? connectionString, TimeProvider time)
    {
        Root = files.FullName;
        (Warehouse, WarehouseName) = destination switch
        {
            "duckdb" => ((IDestination)new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = Path.Combine(Root, "warehouse.db") }), Path.Combine(Root, "warehouse.db")),
            "postgres" => (CreatePostgres(connectionString), "PostgreSQL database " + Describe(connectionString!)),
            _ => throw new CliException($"Unknown destination '{destination}'; expected duckdb or postgres."),
        };
        Directory.CreateDirectory(Root);
        Store = new FileStateStore(Root, time);
        Secrets = new LocalSecretStore(Root);
    }

    public string Root { get; }

    /// <summary>Where rows land, for messages: the DuckDB file or the PostgreSQL database.</summary>
    public string WarehouseName { get; }

    public FileStateStore Store { get; }

    public LocalSecretStore Secrets { get; }

    public IDestination Warehouse { get; }

    public ValueTask DisposeAsync() => Warehouse.DisposeAsync();

    private static PostgresDestination CreatePostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new CliException("--destination postgres needs --connection-string, e.g. \"Host=localhost;Database=tributary;Username=me;Password=…\".");
        }

        try
        {
            return new PostgresDestination(new PostgresDestinationOptions { ConnectionString = connectionString });
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message, ex);
        }
    }

    // Host and database only: a connection string may hold a password.
    private static string Describe(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Database ?? builder.Username} on {builder.Host}:{builder.Port}";
    }
}

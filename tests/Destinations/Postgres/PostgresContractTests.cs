using Tributary.Runtime.Destinations;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Postgres.Tests;

/// <summary>The destination contract suite against a real PostgreSQL server, one fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresContractTests(PostgresFixture postgres) : DestinationContractTests
{
    protected override async Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken) =>
        new PostgresTarget(await postgres.Server.CreateDatabaseAsync(cancellationToken));
}

/// <summary>One PostgreSQL database: destinations over it and a reader.</summary>
public sealed class PostgresTarget(string connectionString) : IDestinationTarget
{
    private readonly List<PostgresDestination> _opened = [];

    public string ConnectionString { get; } = connectionString;

    public WarehouseReader Reader { get; } = new PostgresWarehouseReader(connectionString);

    public IDestination Open()
    {
        var destination = new PostgresDestination(new PostgresDestinationOptions { ConnectionString = ConnectionString });
        _opened.Add(destination);
        return destination;
    }

    /// <summary>The mapping issue 5 asks for, written out rather than taken from the destination.</summary>
    public string PhysicalType(ColumnType type) => type.Type switch
    {
        DataType.Boolean => "boolean",
        DataType.Short => "smallint",
        DataType.Int => "integer",
        DataType.Long => "bigint",
        DataType.Decimal => $"numeric({type.Precision},{type.Scale})",
        DataType.Float => "real",
        DataType.Double => "double precision",
        DataType.NaiveDate => "date",
        DataType.NaiveDateTime => "timestamp without time zone",
        DataType.UtcDateTime => "timestamp with time zone",
        DataType.Binary => "bytea",
        DataType.Xml or DataType.String => "text",
        DataType.Json => "jsonb",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var destination in _opened)
        {
            await destination.DisposeAsync();
        }
    }
}

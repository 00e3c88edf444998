using Tributary.Testing;

namespace Tributary.Destinations.Postgres.Tests;

/// <summary>Exact values through the engine into a real PostgreSQL server, one fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresExactValuesTests(PostgresFixture postgres) : ExactValuesEngineTests
{
    protected override async Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken) =>
        new PostgresTarget(await postgres.Server.CreateDatabaseAsync(cancellationToken));
}

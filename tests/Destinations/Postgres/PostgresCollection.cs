using Tributary.Testing;

namespace Tributary.Destinations.Postgres.Tests;

/// <summary>Every test class of this assembly shares one throwaway PostgreSQL server; each test makes its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

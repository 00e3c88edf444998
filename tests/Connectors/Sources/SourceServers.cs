using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Sources;

// The real servers the database and cloud-service examples read, each started once for this test assembly: every test
// class that needs one joins its collection (tests in one collection run one after another, sharing the server).

/// <summary>A throwaway PostgreSQL cluster (also standing in for Redshift, which speaks its protocol).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresSourceCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL source";
}

/// <summary>Azurite: Blob and Table storage.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteSourceCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite source";
}

/// <summary>dynalite: the DynamoDB API.</summary>
[CollectionDefinition(Name)]
public sealed class DynaliteSourceCollection : ICollectionFixture<DynaliteFixture>
{
    public const string Name = "DynamoDB source";
}

/// <summary>s3rver: the S3 API.</summary>
[CollectionDefinition(Name)]
public sealed class S3rverSourceCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "S3 source";
}

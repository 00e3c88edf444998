using Tributary.Testing;

namespace Tributary.Destinations.Delta.Tests.Log;

/// <summary>The Delta tests that share one Azurite; xunit needs the collection declared in the test assembly.</summary>
[CollectionDefinition(Name)]
public sealed class LogAzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Delta Azurite";
}

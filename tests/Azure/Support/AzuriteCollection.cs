namespace Tributary.Azure.Tests.Support;

/// <summary>The tests that share one Azurite; xunit needs the collection declared in the test assembly.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

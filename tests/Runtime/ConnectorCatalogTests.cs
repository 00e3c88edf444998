using Tributary.Sdk;

namespace Tributary.Runtime.Tests;

public sealed class ConnectorCatalogTests
{
    private static ConnectorCatalog Catalog() => new(typeof(ConnectorCatalogTests).Assembly);

    [Fact]
    public void Names_TestAssembly_FindsAttributedConcreteConnectorsInOrder()
    {
        Assert.Equal(["catalog_alpha", "catalog_beta"], Catalog().Names);
    }

    [Fact]
    public void FromApplication_TheTestsAssemblies_FindsTheConnectorsOfEveryAssemblyThatReferencesTheSdk()
    {
        Assert.Equal(["catalog_alpha", "catalog_beta"], ConnectorCatalog.FromApplication().Names);   // this assembly's, never named to the catalog
    }

    [Fact]
    public void ConnectorAssemblies_FilesThatAreNotConnectorAssemblies_AreSkipped()
    {
        var folder = Directory.CreateTempSubdirectory("tributary-catalog-");
        try
        {
            string Copy(string from, string name)
            {
                var to = Path.Combine(folder.FullName, name);
                File.Copy(from, to);
                return to;
            }

            var tests = Copy(typeof(ConnectorCatalogTests).Assembly.Location, "Tributary.Runtime.Tests.dll");
            var sdk = Copy(typeof(Connector).Assembly.Location, "Tributary.Sdk.dll");   // the SDK itself: no reference to itself
            var text = Path.Combine(folder.FullName, "libnative.dll");
            File.WriteAllText(text, "not a PE image");

            Assert.Equal([tests], ConnectorCatalog.ConnectorAssemblies([text, sdk, tests]));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Create_KnownName_NewInstanceEachTime()
    {
        var catalog = Catalog();

        var first = catalog.Create("catalog_alpha");
        var second = catalog.Create("catalog_alpha");

        Assert.IsType<CatalogAlphaConnector>(first);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void Describe_KnownName_ReturnsDescription()
    {
        var catalog = Catalog();

        Assert.Equal("The first test connector.", catalog.Describe("catalog_alpha"));
        Assert.Null(catalog.Describe("catalog_beta"));
    }

    [Fact]
    public void Contains_KnownAndUnknown_Answers()
    {
        Assert.True(Catalog().Contains("catalog_beta"));
        Assert.False(Catalog().Contains("catalog_abstract"));
    }

    [Fact]
    public void Create_UnknownName_ThrowsKeyNotFoundListingKnownNames()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => Catalog().Create("nope"));

        Assert.Contains("'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("catalog_alpha, catalog_beta", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_UnknownName_ThrowsKeyNotFound()
    {
        Assert.Throws<KeyNotFoundException>(() => Catalog().Describe("nope"));
    }

    [Fact]
    public void Constructor_NoAssemblies_Empty()
    {
        Assert.Empty(new ConnectorCatalog().Names);
    }
}

[Connector("catalog_alpha", Description = "The first test connector.")]
public sealed class CatalogAlphaConnector : Connector
{
    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

[Connector("catalog_beta")]
public sealed class CatalogBetaConnector : Connector
{
    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Abstract: never listed, even with a name.</summary>
[Connector("catalog_abstract")]
public abstract class CatalogAbstractConnector : Connector
{
}

/// <summary>No name: never listed.</summary>
public sealed class CatalogUnnamedConnector : Connector
{
    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class StorageAccountTests(InfraFixture fixture)
{
    private const string StorageAccountType = "Microsoft.Storage/storageAccounts";

    [Fact]
    public void StorageAccount_Compiled_DisallowsSharedKeyAccess()
    {
        var account = fixture.Template.Single(StorageAccountType).Node;

        Assert.False(account.Bool("properties.allowSharedKeyAccess"));
        Assert.True(account.Bool("properties.defaultToOAuthAuthentication"));
    }

    [Fact]
    public void StorageAccount_Compiled_RequiresTls12()
    {
        var account = fixture.Template.Single(StorageAccountType).Node;

        Assert.Equal("TLS1_2", account.String("properties.minimumTlsVersion"));
    }

    [Fact]
    public void StorageAccount_Compiled_AllowsHttpsOnly()
    {
        var account = fixture.Template.Single(StorageAccountType).Node;

        Assert.True(account.Bool("properties.supportsHttpsTrafficOnly"));
    }

    [Fact]
    public void StorageAccount_Compiled_DisallowsPublicBlobAccess()
    {
        var account = fixture.Template.Single(StorageAccountType).Node;
        var containers = fixture.Template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.False(account.Bool("properties.allowBlobPublicAccess"));
        Assert.NotEmpty(containers);
        Assert.All(containers, container => Assert.Equal("None", container.Node.String("properties.publicAccess")));
    }

    [Fact]
    public void StorageAccount_Snapshot_HoldsStateContainerRunsQueueAndDeploymentContainer()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var account = snapshot.Single(StorageAccountType).String("name");
            var containers = snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.String("name")).ToHashSet();
            var queues = snapshot.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.String("name")).ToHashSet();

            Assert.Equal([$"{account}/default/app-package", $"{account}/default/tributary-state"], containers.Order());
            Assert.Equal([$"{account}/default/tributary-runs", $"{account}/default/tributary-runs-poison"], queues.Order());
        }
    }
}

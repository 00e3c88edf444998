using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class StorageAccountTests(InfraFixture fixture)
{
    private const string StorageAccountType = "Microsoft.Storage/storageAccounts";

    /// <summary>Every storage account: the runtime's and the lake.</summary>
    private List<System.Text.Json.Nodes.JsonObject> Accounts()
    {
        var accounts = fixture.Template.OfType(StorageAccountType).Select(account => account.Node).ToList();
        Assert.Equal(2, accounts.Count);
        return accounts;
    }

    [Fact]
    public void StorageAccount_Compiled_DisallowsSharedKeyAccess()
    {
        Assert.All(Accounts(), account =>
        {
            Assert.False(account.Bool("properties.allowSharedKeyAccess"));
            Assert.True(account.Bool("properties.defaultToOAuthAuthentication"));
        });
    }

    [Fact]
    public void StorageAccount_Compiled_RequiresTls12()
    {
        Assert.All(Accounts(), account => Assert.Equal("TLS1_2", account.String("properties.minimumTlsVersion")));
    }

    [Fact]
    public void StorageAccount_Compiled_AllowsHttpsOnly()
    {
        Assert.All(Accounts(), account => Assert.True(account.Bool("properties.supportsHttpsTrafficOnly")));
    }

    [Fact]
    public void StorageAccount_Compiled_DisallowsPublicBlobAccess()
    {
        var containers = fixture.Template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.All(Accounts(), account => Assert.False(account.Bool("properties.allowBlobPublicAccess")));
        Assert.NotEmpty(containers);
        Assert.All(containers, container => Assert.Equal("None", container.Node.String("properties.publicAccess")));
    }

    [Fact]
    public void StorageAccount_Snapshot_HoldsStateContainerRunsQueueAndDeploymentContainer()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var account = snapshot.RuntimeStorageAccount.String("name");
            var containers = snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => c.String("name")).Where(c => c.StartsWith($"{account}/", StringComparison.Ordinal)).ToHashSet();
            var queues = snapshot.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.String("name")).ToHashSet();

            Assert.Equal([$"{account}/default/app-package", $"{account}/default/tributary-state"], containers.Order());
            Assert.Equal([$"{account}/default/tributary-runs", $"{account}/default/tributary-runs-poison"], queues.Order());
        }
    }
}

using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class KeyVaultTests(InfraFixture fixture)
{
    [Fact]
    public void KeyVault_Compiled_AuthorisesWithRbacOnly()
    {
        var vault = fixture.Template.Single("Microsoft.KeyVault/vaults").Node;

        Assert.True(vault.Bool("properties.enableRbacAuthorization"));
        Assert.Null(vault.At("properties.accessPolicies"));
        Assert.Empty(fixture.Template.OfType("Microsoft.KeyVault/vaults/accessPolicies"));
    }

    [Fact]
    public void KeyVault_Compiled_KeepsDeletedSecretsWithPurgeProtection()
    {
        var vault = fixture.Template.Single("Microsoft.KeyVault/vaults").Node;

        Assert.True(vault.Bool("properties.enableSoftDelete"));
        Assert.True(vault.Bool("properties.enablePurgeProtection"));
    }

    [Fact]
    public void KeyVault_Snapshot_RetainsDeletedVaultForAWeekAtLeast()
    {
        var vault = fixture.DefaultSnapshot.Single("Microsoft.KeyVault/vaults");

        Assert.InRange(vault.Int("properties.softDeleteRetentionInDays"), 7, 90);
        Assert.False(vault.Bool("properties.enabledForTemplateDeployment"));
    }
}

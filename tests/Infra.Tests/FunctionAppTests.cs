using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class FunctionAppTests(InfraFixture fixture)
{
    private const string SiteType = "Microsoft.Web/sites";

    [Fact]
    public void FunctionApp_Compiled_RunsOnFlexConsumptionPlan()
    {
        var plan = fixture.Template.Single("Microsoft.Web/serverfarms").Node;

        Assert.Equal("FC1", plan.String("sku.name"));
        Assert.Equal("FlexConsumption", plan.String("sku.tier"));
        Assert.True(plan.Bool("properties.reserved"));
    }

    [Fact]
    public void FunctionApp_Compiled_RunsDotnetIsolated10OnLinux()
    {
        var site = fixture.Template.Single(SiteType).Node;

        Assert.Equal("functionapp,linux", site.String("kind"));
        Assert.Equal("dotnet-isolated", site.String("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", site.String("properties.functionAppConfig.runtime.version"));
    }

    [Fact]
    public void FunctionApp_Compiled_AllowsHttpsOnlyWithTls12()
    {
        var site = fixture.Template.Single(SiteType).Node;

        Assert.True(site.Bool("properties.httpsOnly"));
        Assert.Equal("1.2", site.String("properties.siteConfig.minTlsVersion"));
        Assert.Equal("1.2", site.String("properties.siteConfig.scmMinTlsVersion"));
        Assert.Equal("Disabled", site.String("properties.siteConfig.ftpsState"));
    }

    [Fact]
    public void FunctionApp_Compiled_DisablesBasicPublishingCredentials()
    {
        var policies = fixture.Template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal(2, policies.Count);
        Assert.All(policies, policy => Assert.False(policy.Node.Bool("properties.allow")));
    }

    [Fact]
    public void FunctionApp_Snapshot_RunsAsUserAssignedIdentity()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var site = snapshot.Single(SiteType);
            var identity = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").String("id");

            Assert.Equal("UserAssigned", site.String("identity.type"));
            Assert.Equal([identity], site.At("identity.userAssignedIdentities")!.AsObject().Select(pair => pair.Key));
            Assert.Equal("UserAssignedIdentity", site.String("properties.functionAppConfig.deployment.storage.authentication.type"));
            Assert.Equal(identity, site.String("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));
            Assert.Equal(identity, site.String("properties.keyVaultReferenceIdentity"));
        }
    }

    [Fact]
    public void FunctionApp_Snapshot_DeploysFromPackageContainer()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var site = snapshot.Single(SiteType);
            var storage = snapshot.RuntimeStorageAccount.String("id");

            Assert.Equal("blobContainer", site.String("properties.functionAppConfig.deployment.storage.type"));
            var container = site.String("properties.functionAppConfig.deployment.storage.value");
            Assert.Contains($"reference('{storage}', ", container, StringComparison.Ordinal);
            Assert.Contains(").primaryEndpoints.blob, 'app-package')]", container, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FunctionApp_Snapshot_ScalesWithinLimits()
    {
        var site = fixture.DefaultSnapshot.Single(SiteType);

        Assert.InRange(site.Int("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"), 1, 1000);
        Assert.Contains(site.Int("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB"), new[] { 512, 2048, 4096 });
    }
}

using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class MonitoringTests(InfraFixture fixture)
{
    [Fact]
    public void ApplicationInsights_Compiled_DisablesLocalAuth()
    {
        var component = fixture.Template.Single("Microsoft.Insights/components").Node;

        Assert.True(component.Bool("properties.DisableLocalAuth"));
    }

    [Fact]
    public void LogAnalytics_Compiled_DisablesLocalAuth()
    {
        var workspace = fixture.Template.Single("Microsoft.OperationalInsights/workspaces").Node;

        Assert.True(workspace.Bool("properties.features.disableLocalAuth"));
    }

    [Fact]
    public void ApplicationInsights_Snapshot_SendsToTheWorkspace()
    {
        var component = fixture.DefaultSnapshot.Single("Microsoft.Insights/components");
        var workspace = fixture.DefaultSnapshot.Single("Microsoft.OperationalInsights/workspaces");

        Assert.Equal(workspace.String("id"), component.String("properties.WorkspaceResourceId"));
    }
}

using System.Text.Json.Nodes;
using Tributary.Runtime;

namespace Tributary.FunctionsHost.Tests.Hosting;

/// <summary><c>local.settings.sample.json</c> is what a newcomer copies before <c>func start</c>: every timer needs its schedule.</summary>
public sealed class LocalSettingsSampleTests
{
    [Fact]
    public void Sample_EveryExampleConnector_HasScheduleAndEnabledFlag()
    {
        var values = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Location, "local.settings.sample.json")))!["Values"]!.AsObject();
        var catalog = new ConnectorCatalog(typeof(Connectors.Hello.HelloConnector).Assembly);

        foreach (var name in catalog.Names)
        {
            Assert.True(values.ContainsKey($"Connectors__{name}__Schedule"), $"local.settings.sample.json lacks Connectors__{name}__Schedule");
            Assert.True(values.ContainsKey($"Connectors__{name}__Enabled"), $"local.settings.sample.json lacks Connectors__{name}__Enabled");
        }

        Assert.Equal("UseDevelopmentStorage=true", values["TributaryStorage"]!.GetValue<string>());
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime;

namespace Tributary.FunctionsHost.Tests.Hosting;

/// <summary><c>local.settings.sample.json</c> is what a newcomer copies before <c>func start</c>: its connections must start.</summary>
public sealed class LocalSettingsSampleTests
{
    [Fact]
    public void Sample_Connections_ReadWithoutErrorOneForEveryExampleConnector()
    {
        var values = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Location, "local.settings.sample.json")))!["Values"]!.AsObject();
        var catalog = new ConnectorCatalog(typeof(Connectors.Hello.HelloConnector).Assembly);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(pair => KeyValuePair.Create(pair.Key.Replace("__", ":", StringComparison.Ordinal), (string?)pair.Value!.GetValue<string>())))
            .Build();

        var connections = new ConnectionDirectory(catalog, configuration);

        Assert.Equal(catalog.Names.Order(StringComparer.Ordinal), connections.All.Select(c => c.Connector).Distinct().Order(StringComparer.Ordinal));
        Assert.All(connections.All, c => Assert.Null(c.ScheduleError));
        Assert.Equal(["hello"], connections.All.Where(c => c.Enabled).Select(c => c.Id));
        Assert.Equal("UseDevelopmentStorage=true", values["TributaryStorage"]!.GetValue<string>());
    }
}

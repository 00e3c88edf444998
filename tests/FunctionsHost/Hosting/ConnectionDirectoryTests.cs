using Microsoft.Extensions.Configuration;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Hosting;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Tests.Hosting;

/// <summary>Connections read from <c>Connections__&lt;id&gt;__…</c>; old <c>Connectors__…</c> settings stop the host.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConnectionDirectoryTests(AzuriteFixture azurite)
{
    private static readonly ConnectorCatalog Catalog = new(typeof(Connectors.Hello.HelloConnector).Assembly);

    [Fact]
    public void Directory_TwoConnectionsOfOneConnector_EachWithItsOwnSettingsAndSchema()
    {
        var connections = Read(new()
        {
            ["Connections:github_acme:Connector"] = "synthetic",
            ["Connections:github_acme:Schedule"] = " 0 */5 * * * * ",
            ["Connections:github_acme:Configuration:rows"] = "10",
            ["Connections:github_globex:Connector"] = "synthetic",
            ["Connections:github_globex:Enabled"] = "False",
            ["Connections:github_globex:Destination"] = "Postgres",
            ["Connections:github_globex:Schema"] = "globex",
            ["Connections:github_globex:Configuration:rows"] = "20",
        });

        Assert.Equal(["github_acme", "github_globex"], connections.Ids);
        var acme = connections.Get("github_acme");
        Assert.Equal(("synthetic", true, "0 */5 * * * *", "delta", "github_acme", "10"), (acme.Connector, acme.Enabled, acme.Schedule, acme.Destination, acme.Schema, acme.Configuration["rows"]));
        var globex = connections.Get("github_globex");
        Assert.Equal(("synthetic", false, null, "postgres", "globex", "20"), (globex.Connector, globex.Enabled, globex.Schedule, globex.Destination, globex.Schema, globex.Configuration["rows"]));
        Assert.IsType<Connectors.Synthetic.SyntheticConnector>(connections.CreateConnector("github_globex"));
        Assert.Contains("Known connections: github_acme, github_globex.", Assert.Throws<KeyNotFoundException>(() => connections.Get("nope")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Connections:GitHub:Connector", "hello", "Connection id 'GitHub' (app settings Connections__GitHub__…) must be lower snake case")]
    [InlineData("Connections:acme:Schedule", "0 * * * * *", "Connection 'acme' names no connector: set Connections__acme__Connector to one of")]
    [InlineData("Connections:acme:Connector", "github", "Connection 'acme' names connector 'github' (Connections__acme__Connector), which this host does not have. Known connectors: ")]
    [InlineData("Connections:acme:Schedul", "0 * * * * *", "App setting Connections__acme__Schedul is not a connection setting; the settings are Connections__acme__Connector,")]
    public void Directory_MistakeInADefinition_ThrowsNamingTheSetting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Connections:acme:Connector"] = "hello", [key] = value };
        if (key.EndsWith(":Schedule", StringComparison.Ordinal))
        {
            settings.Remove("Connections:acme:Connector");
        }

        var error = Assert.Throws<ConfigurationException>(() => Read(settings));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Enabled", "yes", "App setting Connections__acme__Enabled is 'yes'; write true or false.")]
    [InlineData("Schema", "Acme-Schema", "App setting Connections__acme__Schema is 'Acme-Schema'; a schema name is lower snake case")]
    public void Directory_BadValue_ThrowsNamingTheSetting(string key, string value, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Read(new() { ["Connections:acme:Connector"] = "hello", [$"Connections:acme:{key}"] = value }));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_TwoConnectionsOneSchema_Throws()
    {
        var error = Assert.Throws<ConfigurationException>(() => Read(new()
        {
            ["Connections:acme:Connector"] = "hello",
            ["Connections:hello:Connector"] = "hello",
            ["Connections:hello:Schema"] = "acme",
        }));

        Assert.Equal(
            "Connections 'acme' and 'hello' both write to destination schema 'acme'; give one of them its own Connections__<id>__Schema.",
            error.Message);
    }

    [Fact]
    public void Get_UnknownAmongMany_NamesTheFirstTwentyAndTheCount()
    {
        var settings = Enumerable.Range(0, 200).ToDictionary(i => $"Connections:c{i:D3}:Connector", _ => (string?)"hello");

        var error = Assert.Throws<KeyNotFoundException>(() => Read(settings).Get("nope"));

        Assert.EndsWith("c018, c019 … (200 in all, GET /api/connections lists them).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_MalformedSchedule_IsKeptAsThatConnectionsScheduleError()
    {
        var connection = Read(new() { ["Connections:acme:Connector"] = "hello", ["Connections:acme:Schedule"] = "*/5 * * * *" }).Get("acme");

        Assert.Equal("*/5 * * * *", connection.Schedule);
        Assert.StartsWith("Connections__acme__Schedule: '*/5 * * * *' has five fields", connection.ScheduleError, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_OldConnectorsSettings_ThrowsOneLineSayingWhatToRename()
    {
        var error = Assert.Throws<ConfigurationException>(() => Read(new()
        {
            ["Connectors:synthetic:Configuration:rows"] = "10",
            ["Connectors:hello:Schedule"] = "0 */5 * * * *",
            ["Connections:acme:Connector"] = "hello",
        }));

        Assert.Equal(
            "App settings Connectors__<name>__… are no longer read; rename each to Connections__<name>__… and add Connections__<name>__Connector=<name> " +
            "(found: Connectors__hello__…, Connectors__synthetic__…).",
            error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Host_OldConnectorsSettings_FailsToStart()
    {
        var settings = new Dictionary<string, string?> { ["Connectors:hello:Schedule"] = "0 */5 * * * *" };

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => FunctionsApp.StartAsync(azurite, new Runtime.Secrets.LocalSecretStore(Path.GetTempPath()), settings));

        Assert.StartsWith("App settings Connectors__<name>__… are no longer read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_BadConnection_FailsToStartNamingTheSetting()
    {
        var settings = new Dictionary<string, string?> { ["Connections:acme:Connector"] = "github" };

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => FunctionsApp.StartAsync(azurite, new Runtime.Secrets.LocalSecretStore(Path.GetTempPath()), settings));

        Assert.Contains("(Connections__acme__Connector)", error.Message, StringComparison.Ordinal);
    }

    private static ConnectionDirectory Read(Dictionary<string, string?> settings) =>
        new(Catalog, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
}

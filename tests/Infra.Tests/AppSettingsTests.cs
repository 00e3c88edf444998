using System.Text.Json;
using System.Text.RegularExpressions;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>The Function App's app settings, read from the evaluated snapshots of both deployments.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class AppSettingsTests(InfraFixture fixture)
{
    /// <summary>The one setting allowed to be named a connection string: it names an endpoint and carries no credential.</summary>
    private const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";


    /// <summary>Suffixes of the settings that make a connection to a data-plane endpoint.</summary>
    private static readonly string[] EndpointSuffixes =
    [
        "__blobServiceUri", "__queueServiceUri", "__tableServiceUri", "__serviceUri", "__fullyQualifiedNamespace", "__accountName",
    ];

    [Fact]
    public void AppSettings_Snapshot_ContainNoSecretKeyOrConnectionString()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            foreach (var (name, value) in snapshot.AppSettings)
            {
                Assert.False(
                    CredentialValuePattern().IsMatch(value),
                    $"{snapshot}: app setting {name} = {value} holds a credential or a call that returns one.");

                var nameWithoutVault = name.Replace("KeyVault", string.Empty, StringComparison.Ordinal);
                Assert.False(
                    SecretNamePattern().IsMatch(nameWithoutVault),
                    $"{snapshot}: app setting {name} is named like a secret.");
                if (name != ApplicationInsightsConnectionString)
                {
                    Assert.False(
                        ConnectionStringNamePattern().IsMatch(name),
                        $"{snapshot}: app setting {name} is named like a connection string.");
                }
            }

            // The Application Insights connection string is the component's own (endpoint and id, no key),
            // and the component accepts only Entra-authenticated telemetry.
            var component = snapshot.Single("Microsoft.Insights/components");
            Assert.Matches(
                $"^\\[reference\\('{Regex.Escape(component.String("id"))}', '[0-9-]+'\\)\\.ConnectionString\\]$",
                snapshot.AppSettings[ApplicationInsightsConnectionString]);
            Assert.True(component.Bool("properties.DisableLocalAuth"));
        }
    }

    [Fact]
    public void AppSettings_Snapshot_EveryStorageConnectionIsIdentityBased()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var settings = snapshot.AppSettings;
            var clientId = IdentityClientId(snapshot);
            var connections = settings.Keys
                .SelectMany(name => EndpointSuffixes.Where(suffix => name.EndsWith(suffix, StringComparison.Ordinal)).Select(suffix => name[..^suffix.Length]))
                .ToHashSet();

            Assert.Equal(["AzureWebJobsStorage", "TributaryStorage"], connections.Order(StringComparer.Ordinal));
            foreach (var connection in connections)
            {
                Assert.False(settings.ContainsKey(connection), $"{snapshot}: {connection} is also set as a connection string.");
                Assert.Equal("managedidentity", settings[$"{connection}__credential"]);
                Assert.Equal(clientId, settings[$"{connection}__clientId"]);
                Assert.DoesNotContain($"{connection}__accountName", settings.Keys);
            }

            var storage = snapshot.RuntimeStorageAccount.String("id");
            Assert.Equal($"[reference('{storage}', '2025-06-01').primaryEndpoints.blob]", settings["AzureWebJobsStorage__blobServiceUri"]);
            Assert.Equal($"[reference('{storage}', '2025-06-01').primaryEndpoints.queue]", settings["AzureWebJobsStorage__queueServiceUri"]);
            Assert.Equal(settings["AzureWebJobsStorage__blobServiceUri"], settings["TributaryStorage__blobServiceUri"]);
            Assert.Equal(settings["AzureWebJobsStorage__queueServiceUri"], settings["TributaryStorage__queueServiceUri"]);
            Assert.Equal(settings["AzureWebJobsStorage__blobServiceUri"], settings["Tributary__StateStore__BlobServiceUri"]);

            // Telemetry is sent with an Entra token of the same identity.
            Assert.Equal($"[format('ClientId={{0}};Authorization=AAD', {clientId[1..^1]})]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        }
    }

    [Fact]
    public void AppSettings_Snapshot_NameKeyVaultUriAndIdentity()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var vault = snapshot.Single("Microsoft.KeyVault/vaults").String("id");

            Assert.Equal($"[reference('{vault}', '2025-05-01').vaultUri]", snapshot.AppSettings["Tributary__KeyVaultUri"]);
            Assert.Equal(IdentityClientId(snapshot), snapshot.AppSettings["AZURE_CLIENT_ID"]);
        }
    }

    [Fact]
    public void AppSettings_Snapshot_OneConnectionNamedAfterEachExampleConnector()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var settings = snapshot.AppSettings;
            var connections = settings.Keys
                .Select(name => ConnectionSettingPattern().Match(name))
                .Where(match => match.Success)
                .Select(match => match.Groups["id"].Value)
                .ToHashSet();

            Assert.Equal(ExampleConnectors.Names.Order(StringComparer.Ordinal), connections.Order(StringComparer.Ordinal));
            foreach (var connector in ExampleConnectors.Names)
            {
                Assert.Equal(connector, settings[$"Connections__{connector}__Connector"]);
                Assert.Matches(SixFieldNcrontabPattern(), settings[$"Connections__{connector}__Schedule"]);
                Assert.Contains(settings[$"Connections__{connector}__Enabled"], new[] { "true", "false" });
            }

            Assert.DoesNotContain(settings.Keys, name => name.StartsWith("Connectors__", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AppSettings_Snapshot_EnableOnlyHelloByDefault()
    {
        var enabled = fixture.DefaultSnapshot.AppSettings
            .Where(setting => setting.Key.EndsWith("__Enabled", StringComparison.Ordinal) && setting.Value == "true")
            .Select(setting => setting.Key);

        Assert.Equal([$"Connections__{ExampleConnectors.EnabledByDefault}__Enabled"], enabled);
    }

    [Fact]
    public void AppSettings_ConnectionsParameter_ProduceEachConnectionsSettings()
    {
        var connections = fixture.ConnectionsSnapshot.AppSettings
            .Where(setting => setting.Key.StartsWith("Connections__", StringComparison.Ordinal))
            .ToDictionary(setting => setting.Key, setting => setting.Value);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["Connections__synthetic_small__Connector"] = "synthetic",
                ["Connections__synthetic_small__Enabled"] = "true",
                ["Connections__synthetic_small__Schedule"] = "0 */15 * * * *",
                ["Connections__synthetic_small__Destination"] = "postgres",
                ["Connections__synthetic_small__Configuration__rows"] = "1000",
                ["Connections__synthetic_large__Connector"] = "synthetic",
                ["Connections__synthetic_large__Enabled"] = "false",
                ["Connections__synthetic_large__Schedule"] = "0 30 2 * * *",
                ["Connections__synthetic_large__Schema"] = "synthetic_archive",
                ["Connections__synthetic_large__Destination"] = "postgres",
                ["Connections__synthetic_large__Configuration__rows"] = "200000",
                ["Connections__synthetic_large__Configuration__checkpoint_every"] = "10000",
                ["Connections__hello__Connector"] = "hello",   // the connector defaults to the id
                ["Connections__hello__Enabled"] = "true",
                ["Connections__hello__Destination"] = "delta",   // named: the lake, though PostgreSQL is deployed; no schedule: on demand only
            },
            connections);
        Assert.Equal(
            JsonSerializer.Serialize(connections.OrderBy(pair => pair.Key, StringComparer.Ordinal)),
            JsonSerializer.Serialize(fixture.ConnectionsSnapshot.Outputs["TRIBUTARY_CONNECTION_SETTINGS"]!.AsObject()
                .Select(pair => KeyValuePair.Create(pair.Key, pair.Value!.GetValue<string>())).OrderBy(pair => pair.Key, StringComparer.Ordinal)));
    }

    [Fact]
    public void AppSettings_DefaultSnapshotWithoutPostgres_EveryConnectionWritesToDelta()
    {
        var destinations = fixture.DefaultSnapshot.AppSettings.Where(setting => setting.Key.EndsWith("__Destination", StringComparison.Ordinal)).ToList();

        Assert.Equal(ExampleConnectors.Names.Order(StringComparer.Ordinal), destinations.Select(setting => setting.Key.Split("__")[1]).Order(StringComparer.Ordinal));
        Assert.All(destinations, setting => Assert.Equal("delta", setting.Value));
    }

    [Fact]
    public void AppSettings_Snapshot_OmitSettingsFlexConsumptionRejects()
    {
        string[] rejected =
        [
            "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_NODE_DEFAULT_VERSION",
            "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "AzureWebJobsStorage",
        ];

        foreach (var snapshot in fixture.Snapshots)
        {
            Assert.Empty(snapshot.AppSettings.Keys.Intersect(rejected));
        }
    }

    [Fact]
    public void Connectors_MainBicep_ListedInOnePlace()
    {
        var sources = Directory.EnumerateFiles(RepositoryPaths.Infra, "*.bicep", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(RepositoryPaths.Root, path), File.ReadAllText);

        foreach (var connector in ExampleConnectors.Names)
        {
            var mentions = sources
                .SelectMany(source => Regex.Matches(source.Value, $"'{Regex.Escape(connector)}'").Select(_ => source.Key))
                .ToList();
            Assert.True(
                mentions is ["infra/main.bicep"],
                $"Connector '{connector}' must be named once, in main.bicep's connections list; found in: {string.Join(", ", mentions)}.");
        }
    }

    internal static string IdentityClientId(DeploymentSnapshot snapshot)
    {
        var identity = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").String("id");
        return $"[reference('{identity}', '2024-11-30').clientId]";
    }

    /// <summary>What only a credential, or an ARM call that returns one (listKeys, listSecrets, ...), puts in a value.</summary>
    [GeneratedRegex(@"\blist[A-Z]\w*\(|(?i:accountkey|sharedaccess|password|pwd=|instrumentationkey|[?&;]sig=|secret)")]
    internal static partial Regex CredentialValuePattern();

    [GeneratedRegex("(password|secret|token|accountkey|sas$|key$)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretNamePattern();

    [GeneratedRegex("(connectionstring|connection_string)", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringNamePattern();

    [GeneratedRegex("^Connections__(?<id>[a-z0-9_]+)__(Connector|Schedule|Enabled)$")]
    private static partial Regex ConnectionSettingPattern();

    [GeneratedRegex(@"^\S+( \S+){5}$")]
    private static partial Regex SixFieldNcrontabPattern();
}

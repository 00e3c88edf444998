using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>The optional PostgreSQL flexible server: absent by default, Entra-only when enabled.</summary>
[Collection(InfraCollection.Name)]
public sealed class PostgresTests(InfraFixture fixture)
{
    private const string ServerType = "Microsoft.DBforPostgreSQL/flexibleServers";

    [Fact]
    public void Postgres_Compiled_DeployedOnlyWhenEnabled()
    {
        Assert.Equal("[parameters('postgresEnabled')]", fixture.Template.Module("postgres").String("condition"));
        Assert.False(fixture.Template.Root.Bool("parameters.postgresEnabled.defaultValue"));
    }

    [Fact]
    public void Postgres_DefaultSnapshot_IsAbsent()
    {
        var snapshot = fixture.DefaultSnapshot;

        Assert.DoesNotContain(snapshot.Resources, resource => resource.String("type").StartsWith("Microsoft.DBforPostgreSQL/", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(snapshot.AppSettings.Keys, name => name.Contains("Postgres", StringComparison.Ordinal));
        Assert.DoesNotContain(snapshot.AppSettings, setting => setting.Key.EndsWith("__Destination", StringComparison.Ordinal) && setting.Value == "postgres");
        Assert.Equal(string.Empty, snapshot.Outputs.String("POSTGRES_HOST"));
    }

    [Fact]
    public void Postgres_EnabledSnapshot_AuthenticatesWithEntraOnly()
    {
        var server = fixture.PostgresSnapshot.Single(ServerType);

        Assert.Equal("Enabled", server.String("properties.authConfig.activeDirectoryAuth"));
        Assert.Equal("Disabled", server.String("properties.authConfig.passwordAuth"));
        Assert.Null(server.At("properties.administratorLogin"));
        Assert.Null(server.At("properties.administratorLoginPassword"));
    }

    [Fact]
    public void Postgres_EnabledSnapshot_MakesAppIdentityAdministrator()
    {
        var snapshot = fixture.PostgresSnapshot;
        var identity = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        var administrator = snapshot.Single($"{ServerType}/administrators");

        Assert.Equal("ServicePrincipal", administrator.String("properties.principalType"));
        Assert.Equal(identity.String("name"), administrator.String("properties.principalName"));
        Assert.Contains($"reference('{identity.String("id")}', '2024-11-30').principalId", administrator.String("name"), StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_EnabledSnapshot_IsEveryConnectionsDestination()
    {
        var snapshot = fixture.PostgresSnapshot;
        var settings = snapshot.AppSettings;
        var server = snapshot.Single(ServerType);

        foreach (var connector in ExampleConnectors.Names)
        {
            Assert.Equal("postgres", settings[$"Connections__{connector}__Destination"]);
        }

        Assert.Contains($"'{server.String("id")}'", settings["Tributary__Destination__Postgres__Host"], StringComparison.Ordinal);
        Assert.EndsWith(".fullyQualifiedDomainName]", settings["Tributary__Destination__Postgres__Host"], StringComparison.Ordinal);
        Assert.Equal("tributary", settings["Tributary__Destination__Postgres__Database"]);
        Assert.Equal(snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").String("name"), settings["Tributary__Destination__Postgres__Username"]);
    }
}

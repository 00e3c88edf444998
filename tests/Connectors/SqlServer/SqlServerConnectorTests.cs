using System.Net;
using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Tributary.Connectors.Relational;
using Tributary.Connectors.SqlServer;
using Tributary.Sdk.Testing;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.SqlServer;

/// <summary>
/// No SQL Server can run here. Its incremental read is the shared reader the PostgreSQL examples' tests run against a
/// real server; these tests cover what is SQL Server's own: the connection string, the SQL text (in SqlDialectTests),
/// and a failed connection through the real SqlClient, which must fail clearly and keep the state and the password out.
/// </summary>
public sealed class SqlServerConnectorTests
{
    private const string Name = "sql_server";
    private const string Password = "Sq1-S3rver-p@ss;word";

    [Fact]
    public void ConnectionString_SampleConfiguration_SqlAuthenticationOverTlsToHostAndPort()
    {
        var configuration = new ConnectorConfiguration(Sample());
        var settings = RelationalSettings.Read(configuration, 1433, 100, 1000);

        var builder = new SqlConnectionStringBuilder(SqlServerSource.ConnectionString(settings, Password, configuration));

        Assert.Equal("tcp:sql-test.database.windows.net,1433", builder.DataSource);
        Assert.Equal(("hr", "fivetran"), (builder.InitialCatalog, builder.UserID));
        Assert.Equal(Password, builder.Password);
        Assert.Equal(SqlConnectionEncryptOption.Mandatory, builder.Encrypt);
        Assert.False(builder.TrustServerCertificate);
        Assert.False(builder.PersistSecurityInfo);
        Assert.Equal((100, 1000), (settings.PageSize, settings.CheckpointInterval));
    }

    [Fact]
    public async Task UpdateAsync_UnknownEncryptValue_FailsNamingTheKey()
    {
        await using var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("password", Password);
        var configuration = Sample();
        configuration["encrypt"] = "yes please";

        var run = await harness.RunAsync(new SqlServerConnector(), configuration);

        RunAssert.Failed(run, "Configuration key 'encrypt' has value 'yes please'; expected one of: Mandatory, Optional, Strict.");
    }

    [Fact]
    public async Task UpdateAsync_NoServerListening_FailsNamingTheServerKeepsTheStateAndThePassword()
    {
        await using var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("password", Password);
        var configuration = Sample();
        configuration["host"] = "127.0.0.1";
        configuration["port"] = ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        configuration["connect_timeout"] = "3";

        var run = await harness.RunAsync(new SqlServerConnector(), configuration);

        // SqlClient refuses to open any connection in .NET's globalization-invariant mode: the repository builds with it off.
        Assert.False(SqlServerDialect.InvariantGlobalization, "InvariantGlobalization is on: SqlClient cannot connect (Directory.Build.props).");
        RunAssert.Failed(run, $"Could not connect to SQL Server at fivetran@127.0.0.1:{configuration["port"]}/hr");
        Assert.Equal(0, run.Checkpoints);
        Assert.Empty(await harness.ReadStateAsync());
        await RunAssert.SecretKeptOutAsync(harness, Password, run);
    }

    [Fact]
    public void Schema_Original_EmployeeDetailsWithItsTypes()
    {
        var table = Assert.Single(new SqlServerConnector().Schema(new ConnectorConfiguration(Sample())));

        Assert.Equal("employee_details", table.Name);
        Assert.Equal(["employee_id"], table.PrimaryKey);
        Assert.Equal(["employee_id", "hire_date", "salary", "updated_time"], table.Columns.Keys);
    }

    private static Dictionary<string, string> Sample()
    {
        var configuration = SampleConfiguration.Read("SqlServer");
        configuration["host"] = "sql-test.database.windows.net";
        configuration["database"] = "hr";
        configuration["user"] = "fivetran";
        return configuration;
    }

    /// <summary>A loopback port nothing listens on: bound, read, released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using Microsoft.Data.SqlClient;
using Tributary.Connectors.Relational;
using Tributary.Sdk;

namespace Tributary.Connectors.SqlServer;

/// <summary>SqlClient connection strings for the SQL Server example, from the shared settings and the password secret.</summary>
internal static class SqlServerSource
{
    /// <summary>The connection string for <paramref name="settings"/>' server: SQL authentication, TLS by default.</summary>
    /// <param name="settings">Host, port, database and user.</param>
    /// <param name="password">The <c>password</c> secret.</param>
    /// <param name="configuration">For <c>encrypt</c> (Mandatory, Optional or Strict; default Mandatory) and
    /// <c>trust_server_certificate</c> (default false).</param>
    public static string ConnectionString(RelationalSettings settings, string password, ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        var encrypt = configuration.GetString("encrypt", "Mandatory") switch
        {
            var e when e.Equals("Mandatory", StringComparison.OrdinalIgnoreCase) || e.Equals("true", StringComparison.OrdinalIgnoreCase) => SqlConnectionEncryptOption.Mandatory,
            var e when e.Equals("Optional", StringComparison.OrdinalIgnoreCase) || e.Equals("false", StringComparison.OrdinalIgnoreCase) => SqlConnectionEncryptOption.Optional,
            var e when e.Equals("Strict", StringComparison.OrdinalIgnoreCase) => SqlConnectionEncryptOption.Strict,
            var e => throw new ConfigurationException($"Configuration key 'encrypt' has value '{e}'; expected one of: Mandatory, Optional, Strict."),
        };

        return new SqlConnectionStringBuilder
        {
            // tcp:host,port is SqlClient's form for a host and port (Azure SQL: yourserver.database.windows.net,1433).
            DataSource = $"tcp:{settings.Host},{settings.Port}",
            InitialCatalog = settings.Database,
            UserID = settings.User,
            Password = password,
            Encrypt = encrypt,
            TrustServerCertificate = configuration.GetBoolean("trust_server_certificate", false),
            ApplicationName = "tributary",
            PersistSecurityInfo = false,
            ConnectTimeout = configuration.GetInt32("connect_timeout", 30),
        }.ConnectionString;
    }
}

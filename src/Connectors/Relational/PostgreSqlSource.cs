using Npgsql;
using Tributary.Sdk;

namespace Tributary.Connectors.Relational;

/// <summary>Npgsql data sources for the PostgreSQL and Redshift examples, from the shared settings and the password secret.</summary>
internal static class PostgreSqlSource
{
    /// <summary>A data source for <paramref name="settings"/>' server; the sync takes one connection from it.</summary>
    /// <param name="settings">Host, port, database and user.</param>
    /// <param name="password">The <c>password</c> secret.</param>
    /// <param name="configuration">For <c>ssl_mode</c> (Npgsql's values: Disable, Allow, Prefer, Require, VerifyCA, VerifyFull).</param>
    /// <param name="defaultSslMode">The default of <c>ssl_mode</c>.</param>
    /// <param name="redshift">True for Redshift: type loading off, so Npgsql does not query PostgreSQL's type catalog (which
    /// Redshift lacks in part) and uses its built-in types only — what the older <c>Server Compatibility Mode=Redshift</c> did.</param>
    public static NpgsqlDataSource Create(RelationalSettings settings, string password, ConnectorConfiguration configuration, SslMode defaultSslMode, bool redshift)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        var sslText = configuration.GetString("ssl_mode", defaultSslMode.ToString());
        if (!Enum.TryParse<SslMode>(sslText, ignoreCase: true, out var sslMode) || !Enum.IsDefined(sslMode))
        {
            throw new ConfigurationException(
                $"Configuration key 'ssl_mode' has value '{sslText}'; expected one of: {string.Join(", ", Enum.GetNames<SslMode>())}.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = settings.Host,
            Port = settings.Port,
            Database = settings.Database,
            Username = settings.User,
            Password = password,
            SslMode = sslMode,
            ApplicationName = "tributary",
            // The password stays out of the connection's ConnectionString once it is open.
            PersistSecurityInfo = false,
        };
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        if (redshift)
        {
            dataSource.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        }

        return dataSource.Build();
    }
}

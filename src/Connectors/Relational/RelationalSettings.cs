using System.Globalization;
using Tributary.Sdk;

namespace Tributary.Connectors.Relational;

/// <summary>Where a database source is and how its rows are read: configuration keys shared by the database examples.</summary>
internal sealed record RelationalSettings(string Host, int Port, string Database, string User, int PageSize, int CheckpointInterval)
{
    /// <summary>Reads <c>host</c>, <c>port</c>, <c>database</c>, <c>user</c>, <c>batch_size</c> and <c>checkpoint_interval</c>.</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static RelationalSettings Read(ConnectorConfiguration configuration, int defaultPort, int defaultPageSize, int defaultCheckpointInterval)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var port = configuration.GetInt32("port", defaultPort);
        if (port is < 1 or > 65535)
        {
            throw new ConfigurationException($"Configuration key 'port' must be from 1 to 65535; got {port}.");
        }

        return new RelationalSettings(
            configuration.GetString("host"),
            port,
            configuration.GetString("database"),
            configuration.GetString("user"),
            Positive(configuration, "batch_size", defaultPageSize),
            Positive(configuration, "checkpoint_interval", defaultCheckpointInterval));
    }

    /// <summary>The connection as messages name it: <c>user@host:port/database</c>, never the password.</summary>
    public string Target => string.Create(CultureInfo.InvariantCulture, $"{User}@{Host}:{Port}/{Database}");

    private static int Positive(ConnectorConfiguration configuration, string key, int defaultValue)
    {
        var value = configuration.GetInt32(key, defaultValue);
        return value >= 1 ? value : throw new ConfigurationException($"Configuration key '{key}' must be 1 or more; got {value}.");
    }
}

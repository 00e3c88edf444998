using Microsoft.Extensions.Configuration;
using Tributary.FunctionsHost.Scheduling;
using Tributary.Runtime;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>
/// The connections this host runs, read once from the app settings <c>Connections__&lt;id&gt;__Connector|Schedule|Enabled|
/// Destination|Schema|Configuration__&lt;key&gt;</c>, and the connector types they name (the catalog). A mistake in a
/// connection's definition stops the host at start-up with a message naming the setting; a malformed schedule only keeps that
/// connection from being scheduled (<see cref="ConnectionSettings.ScheduleError"/>). Settings of the form
/// <c>Connectors__&lt;name&gt;__…</c> (before connections) stop the host with one line saying what to rename.
/// </summary>
public sealed class ConnectionDirectory
{
    /// <summary>The configuration section: <c>Connections</c>.</summary>
    public const string Section = "Connections";

    /// <summary>The destination used when a connection names none: <c>delta</c>, Delta Lake tables (in the lake container on
    /// Azure, in <c>files/lake</c> locally).</summary>
    public const string DefaultDestination = "delta";

    /// <summary>The longest id (and schema): PostgreSQL's identifier limit.</summary>
    public const int MaxIdLength = 63;

    private static readonly HashSet<string> Keys = new(["Connector", "Schedule", "Enabled", "Destination", "Schema", "Configuration"], StringComparer.OrdinalIgnoreCase);

    private readonly ConnectorCatalog _catalog;
    private readonly SortedDictionary<string, ConnectionSettings> _connections = new(StringComparer.Ordinal);

    /// <summary>Reads and checks every connection.</summary>
    /// <exception cref="ConfigurationException">Old <c>Connectors__…</c> settings are present, or a connection's id, connector,
    /// enabled flag, schema or a key is wrong; the message names the setting.</exception>
    public ConnectionDirectory(ConnectorCatalog catalog, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(configuration);
        _catalog = catalog;
        RefuseLegacySettings(configuration);
        foreach (var section in configuration.GetSection(Section).GetChildren())
        {
            var connection = Read(section);
            if (_connections.Values.FirstOrDefault(other => other.Schema == connection.Schema) is { } clash)
            {
                throw new ConfigurationException(
                    $"Connections '{clash.Id}' and '{connection.Id}' both write to destination schema '{connection.Schema}'; give one of them its own Connections__<id>__Schema.");
            }

            _connections.Add(connection.Id, connection);
        }
    }

    /// <summary>The connection ids, in order.</summary>
    public IReadOnlyCollection<string> Ids => _connections.Keys;

    /// <summary>Every connection, in id order.</summary>
    public IEnumerable<ConnectionSettings> All => _connections.Values;

    /// <summary>The connector types this host has.</summary>
    public ConnectorCatalog Catalog => _catalog;

    /// <summary>Whether a connection has that id.</summary>
    public bool Contains(string id) => _connections.ContainsKey(id);

    /// <summary>The connection's settings.</summary>
    /// <exception cref="KeyNotFoundException">No connection has that id; the message lists the known ones.</exception>
    public ConnectionSettings Get(string id) => _connections.TryGetValue(id, out var connection)
        ? connection
        : throw new KeyNotFoundException($"Unknown connection '{id}'. Known connections: {List(_connections.Keys)}.");

    /// <summary>Ids for a message: all of them, or the first 20 and how many there are.</summary>
    internal static string List(IReadOnlyCollection<string> ids, int shown = 20) => ids.Count <= shown
        ? string.Join(", ", ids)
        : $"{string.Join(", ", ids.Take(shown))} … ({ids.Count} in all, GET /api/connections lists them)";

    /// <summary>A fresh instance of the connection's connector.</summary>
    /// <exception cref="KeyNotFoundException">No connection has that id.</exception>
    public Connector CreateConnector(string id) => _catalog.Create(Get(id).Connector);

    private ConnectionSettings Read(IConfigurationSection section)
    {
        var id = section.Key;
        var prefix = $"{Section}__{id}__";
        if (!Runtime.Schema.Names.IsSnakeCase(id) || id.Length > MaxIdLength)
        {
            throw new ConfigurationException(
                $"Connection id '{id}' (app settings {prefix}…) must be lower snake case, at most {MaxIdLength} characters, such as github_acme.");
        }

        if (section.GetChildren().FirstOrDefault(child => !Keys.Contains(child.Key)) is { } unknown)
        {
            throw new ConfigurationException(
                $"App setting {prefix}{unknown.Key} is not a connection setting; the settings are {string.Join(", ", Keys.Select(key => prefix + key))}.");
        }

        var connector = section["Connector"]?.Trim();
        if (string.IsNullOrEmpty(connector))
        {
            throw new ConfigurationException($"Connection '{id}' names no connector: set {prefix}Connector to one of {string.Join(", ", _catalog.Names)}.");
        }

        if (!_catalog.Contains(connector))
        {
            throw new ConfigurationException(
                $"Connection '{id}' names connector '{connector}' ({prefix}Connector), which this host does not have. Known connectors: {string.Join(", ", _catalog.Names)}.");
        }

        var enabled = true;
        if (section["Enabled"] is { Length: > 0 } flag && !bool.TryParse(flag.Trim(), out enabled))
        {
            throw new ConfigurationException($"App setting {prefix}Enabled is '{flag}'; write true or false.");
        }

        var schema = section["Schema"] is { Length: > 0 } given ? given.Trim() : id;
        if (!Runtime.Schema.Names.IsSnakeCase(schema) || schema.Length > MaxIdLength)
        {
            throw new ConfigurationException($"App setting {prefix}Schema is '{schema}'; a schema name is lower snake case, at most {MaxIdLength} characters.");
        }

        var configuration = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in section.GetSection("Configuration").AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                configuration[key] = value;
            }
        }

        var scheduleText = section["Schedule"] is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;
        CronSchedule? schedule = null;
        string? scheduleError = null;
        if (scheduleText is not null && !CronSchedule.TryParse(scheduleText, out schedule, out var error))
        {
            scheduleError = $"{prefix}Schedule: {error}";
        }

        return new ConnectionSettings(
            id,
            connector,
            _catalog.Describe(connector),
            enabled,
            scheduleText,
            section["Destination"] is { Length: > 0 } destination ? destination.Trim().ToLowerInvariant() : DefaultDestination,
            schema,
            configuration)
        {
            ScheduleError = scheduleError,
            ParsedSchedule = schedule,
        };
    }

    private static void RefuseLegacySettings(IConfiguration configuration)
    {
        var legacy = configuration.GetSection("Connectors").GetChildren().Select(static child => child.Key).Order(StringComparer.Ordinal).ToList();
        if (legacy.Count > 0)
        {
            throw new ConfigurationException(
                $"App settings Connectors__<name>__… are no longer read; rename each to Connections__<name>__… and add Connections__<name>__Connector=<name> " +
                $"(found: {string.Join(", ", legacy.Select(static name => $"Connectors__{name}__…"))}).");
        }
    }
}

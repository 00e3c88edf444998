using Microsoft.Extensions.Configuration;
using Tributary.Runtime;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>A connector's app settings: <c>Connectors__&lt;name&gt;__Schedule|Enabled|Destination|Configuration__&lt;key&gt;</c>.</summary>
/// <param name="Name">The registered name.</param>
/// <param name="Description">The catalog's one-line description.</param>
/// <param name="Enabled">Whether its timer runs it: <c>Enabled</c>, default <see langword="true"/>; a value other than true/false disables it.</param>
/// <param name="Schedule">Its timer's NCRONTAB schedule, or <see langword="null"/> when none is set.</param>
/// <param name="Destination">Where its rows go: <c>Destination</c>, default <c>duckdb</c>.</param>
/// <param name="Configuration">Its configuration: the keys under <c>Configuration</c>.</param>
public sealed record ConnectorSettings(
    string Name,
    string? Description,
    bool Enabled,
    string? Schedule,
    string Destination,
    IReadOnlyDictionary<string, string> Configuration);

/// <summary>The connectors this host runs (the catalog) and their settings (the configuration).</summary>
public sealed class ConnectorDirectory(ConnectorCatalog catalog, IConfiguration configuration)
{
    /// <summary>The destination used when a connector names none.</summary>
    public const string DefaultDestination = "duckdb";

    /// <summary>Registered names, in order.</summary>
    public IReadOnlyCollection<string> Names => catalog.Names;

    /// <summary>Whether a connector has that name.</summary>
    public bool Contains(string name) => catalog.Contains(name);

    /// <summary>A fresh instance of the connector.</summary>
    /// <exception cref="KeyNotFoundException">No connector has that name.</exception>
    public Sdk.Connector Create(string name) => catalog.Create(name);

    /// <summary>The connector's settings.</summary>
    /// <exception cref="KeyNotFoundException">No connector has that name.</exception>
    public ConnectorSettings Get(string name)
    {
        var description = catalog.Describe(name);   // throws for an unknown name, listing the known ones
        var section = configuration.GetSection($"Connectors:{name}");
        var enabled = section["Enabled"] is not { Length: > 0 } flag || (bool.TryParse(flag, out var parsed) && parsed);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in section.GetSection("Configuration").AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                values[key] = value;
            }
        }

        return new ConnectorSettings(
            name,
            description,
            enabled,
            section["Schedule"] is { Length: > 0 } schedule ? schedule : null,
            section["Destination"] is { Length: > 0 } destination ? destination.Trim().ToLowerInvariant() : DefaultDestination,
            values);
    }
}

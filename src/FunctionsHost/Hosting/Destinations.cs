using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>
/// Makes one kind of destination (<c>Connectors__&lt;name&gt;__Destination</c> names it). The extension point for more
/// destinations: register another implementation as a singleton (PostgreSQL's comes with its own issue).
/// </summary>
internal interface IDestinationProvider
{
    /// <summary>The name settings use, lower case: <c>duckdb</c>, <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>A destination for one run of <paramref name="connector"/>; the run disposes it.</summary>
    IDestination Create(string connector);
}

/// <summary>The local DuckDB warehouse, <c>&lt;Tributary:Files&gt;/warehouse.db</c>: for development; on Azure its disk is not kept.</summary>
internal sealed class DuckDbDestinationProvider(IOptions<TributaryHostOptions> options, ILoggerFactory loggerFactory) : IDestinationProvider
{
    public string Name => "duckdb";

    public IDestination Create(string connector) => new DuckDbDestination(
        new DuckDbDestinationOptions { DatabasePath = Path.Combine(options.Value.Files, "warehouse.db") },
        loggerFactory.CreateLogger<DuckDbDestination>());
}

/// <summary>Picks the destination provider a connector's settings name.</summary>
internal sealed class DestinationFactory(IEnumerable<IDestinationProvider> providers)
{
    private readonly Dictionary<string, IDestinationProvider> _providers = providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>A destination of kind <paramref name="kind"/> for <paramref name="connector"/>.</summary>
    /// <exception cref="ConfigurationException">This host has no destination of that kind.</exception>
    public IDestination Create(string connector, string kind) => _providers.TryGetValue(kind, out var provider)
        ? provider.Create(connector)
        : throw new ConfigurationException(
            $"Connector '{connector}' names destination '{kind}' (Connectors__{connector}__Destination), which this host does not have. " +
            $"Known destinations: {string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))}.");
}

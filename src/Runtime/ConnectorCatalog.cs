using System.Reflection;
using Tributary.Sdk;

namespace Tributary.Runtime;

/// <summary>The connectors a host can run, found by their <see cref="ConnectorAttribute"/>.</summary>
public sealed class ConnectorCatalog
{
    private readonly SortedDictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>Finds every public, non-abstract <see cref="Connector"/> with a <see cref="ConnectorAttribute"/> in the assemblies.</summary>
    /// <exception cref="InvalidOperationException">Two connectors share a name, or a name is not lower snake case.</exception>
    public ConnectorCatalog(params IEnumerable<Assembly> assemblies)
    {
        foreach (var type in assemblies.SelectMany(a => a.GetExportedTypes()))
        {
            if (type.IsAbstract || !type.IsSubclassOf(typeof(Connector)) || type.GetCustomAttribute<ConnectorAttribute>() is not { } attribute)
            {
                continue;
            }

            if (!Schema.Names.IsSnakeCase(attribute.Name))
            {
                throw new InvalidOperationException($"Connector {type.FullName} is named '{attribute.Name}'; names are lower snake case.");
            }

            if (!_types.TryAdd(attribute.Name, type))
            {
                throw new InvalidOperationException($"Connectors {_types[attribute.Name].FullName} and {type.FullName} are both named '{attribute.Name}'.");
            }
        }
    }

    /// <summary>Registered names, in order.</summary>
    public IReadOnlyCollection<string> Names => _types.Keys;

    /// <summary>The one-line description of a connector, if it has one.</summary>
    public string? Describe(string name) => Find(name).GetCustomAttribute<ConnectorAttribute>()!.Description;

    /// <summary>A new instance of the named connector.</summary>
    /// <exception cref="KeyNotFoundException">No connector has that name; the message lists the known ones.</exception>
    public Connector Create(string name) => (Connector)Activator.CreateInstance(Find(name))!;

    /// <summary>Whether a connector has that name.</summary>
    public bool Contains(string name) => _types.ContainsKey(name);

    private Type Find(string name) => _types.TryGetValue(name, out var type)
        ? type
        : throw new KeyNotFoundException($"Unknown connector '{name}'. Known connectors: {string.Join(", ", _types.Keys)}.");
}

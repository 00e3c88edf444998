using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
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

    /// <summary>
    /// The connectors of this application: those in every assembly it was built with (its <c>.deps.json</c>, in its own
    /// folder) that references <c>Tributary.Sdk</c>. A connector project referenced by the Functions host or the CLI —
    /// this repository's examples, or an author's own — is found without being named in code.
    /// </summary>
    /// <exception cref="InvalidOperationException">Two connectors share a name, or a name is not lower snake case.</exception>
    public static ConnectorCatalog FromApplication()
    {
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var application = trusted.Where(path => path.StartsWith(AppContext.BaseDirectory, StringComparison.Ordinal));   // not the framework's
        return new ConnectorCatalog(ConnectorAssemblies(application).Select(path => AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(path))));
    }

    /// <summary>The files among <paramref name="paths"/> that are .NET assemblies referencing <c>Tributary.Sdk</c>, in order.</summary>
    internal static IEnumerable<string> ConnectorAssemblies(IEnumerable<string> paths)
    {
        var sdk = typeof(Connector).Assembly.GetName().Name!;
        return paths.Order(StringComparer.Ordinal).Where(path => File.Exists(path) && References(path, sdk));   // a deps.json may list what was never copied
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

    // Whether the file is a .NET assembly that references `assembly`, read from its metadata without loading it.
    private static bool References(string path, string assembly)
    {
        using var stream = File.OpenRead(path);
        using var image = new PEReader(stream);
        try
        {
            if (!image.HasMetadata)
            {
                return false;   // a native library
            }

            var metadata = image.GetMetadataReader();
            return metadata.IsAssembly && metadata.AssemblyReferences.Any(handle =>
                metadata.StringComparer.Equals(metadata.GetAssemblyReference(handle).Name, assembly));
        }
        catch (BadImageFormatException)
        {
            return false;   // not a PE image at all
        }
    }
}

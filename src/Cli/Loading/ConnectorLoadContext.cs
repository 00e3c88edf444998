using System.Reflection;
using System.Runtime.Loader;
using Tributary.Sdk;

namespace Tributary.Cli.Loading;

/// <summary>
/// A connector assembly built outside this tributary, in a collectible load context of its own. Its dependencies (the NuGet
/// packages and projects it references, Tributary.Sdk.Http among them) resolve from its folder through its deps.json, at
/// the versions it was built and tested with. Tributary.Sdk and the assemblies it references (Microsoft.Extensions.Logging.Abstractions
/// and the framework) are this tributary's: their types — <see cref="Connector"/>, <see cref="SyncContext"/>, ILogger,
/// JsonObject, HttpClient — cross between the runtime and the connector, so each must be one type on both sides.
/// </summary>
internal sealed class ConnectorLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    private ConnectorLoadContext(string path, AssemblyDependencyResolver resolver)
        : base($"tributary connector {Path.GetFileName(path)}", isCollectible: true) => _resolver = resolver;

    /// <summary>A context for the connector assembly at <paramref name="path"/>, resolving through the deps.json beside it.</summary>
    /// <exception cref="CliException">The deps.json cannot be read.</exception>
    public static ConnectorLoadContext Create(string path)
    {
        AssemblyDependencyResolver resolver;
        try
        {
            resolver = new AssemblyDependencyResolver(path);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException($"The dependencies of {Path.GetFileName(path)} cannot be resolved: {ex.Message.ReplaceLineEndings(" ").Trim()}", ex);
        }

        return new ConnectorLoadContext(path, resolver);
    }

    /// <summary>The assemblies shared with this tributary, by simple name: Tributary.Sdk and every assembly it references.</summary>
    public static IReadOnlySet<string> Shared { get; } = SharedNames();

    /// <summary>This tributary's version of a shared assembly.</summary>
    public static Version HostVersion(string name) => Default.LoadFromAssemblyName(new AssemblyName(name)).GetName().Version ?? new Version();

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && Shared.Contains(name))
        {
            // By simple name: the version the connector asked for was checked against the host's before it loaded.
            return Default.LoadFromAssemblyName(new AssemblyName(name));
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static HashSet<string> SharedNames()
    {
        var sdk = typeof(Connector).Assembly;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { sdk.GetName().Name! };
        foreach (var reference in sdk.GetReferencedAssemblies())
        {
            names.Add(reference.Name!);
        }

        return names;
    }
}

using System.CommandLine;
using System.Reflection;
using Tributary.Runtime;

namespace Tributary.Cli.Loading;

/// <summary>
/// Where a command's connectors come from: <c>--assembly</c> (a built connector assembly), <c>--project</c> (a connector
/// project, built first), or neither (the connectors this tributary was built with).
/// </summary>
internal sealed class ConnectorSource(ConnectorCatalog builtIn)
{
    /// <summary><c>--assembly PATH</c>.</summary>
    public Option<FileInfo?> Assembly { get; } = new("--assembly")
    {
        Description = "A built connector assembly (.dll): its [Connector] classes are the connectors, instead of the built-in examples. " +
            "It loads with its own dependencies from its folder; Tributary.Sdk is shared with this tributary. " + SdkCompatibility.Rule,
    };

    /// <summary><c>--project PATH</c>.</summary>
    public Option<string?> Project { get; } = new("--project")
    {
        Description = "A connector project (.csproj, or the folder holding it): built with `dotnet build -c Debug`, then loaded as with --assembly.",
    };

    /// <summary>Adds <c>--assembly</c> and <c>--project</c>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Assembly);
        command.Add(Project);
    }

    /// <summary>
    /// <see cref="CliOptions.Guarded"/> for a command that works on connectors: the body gets the catalog the options name, and
    /// a loaded assembly's context is unloaded when the body ends.
    /// </summary>
    public Func<ParseResult, CancellationToken, Task<int>> Guarded(CliConsole console, Func<ParseResult, ConnectorCatalog, CancellationToken, Task<int>> body) =>
        CliOptions.Guarded(console, async (result, cancellationToken) =>
        {
            var assembly = result.GetValue(Assembly);
            var project = result.GetValue(Project);
            if (assembly is not null && project is not null)
            {
                throw new CliException("Give --assembly or --project, not both.");
            }

            if (assembly is null && project is null)
            {
                return await body(result, builtIn, cancellationToken);
            }

            var path = assembly?.FullName ?? await ProjectBuild.BuildAsync(project!, console.Error, cancellationToken);
            var (catalog, context) = Load(path);
            try
            {
                return await body(result, catalog, cancellationToken);
            }
            finally
            {
                context.Unload();
            }
        });

    /// <summary>Loads the assembly at <paramref name="path"/> into a new <see cref="ConnectorLoadContext"/> and finds its connectors.</summary>
    /// <exception cref="CliException">The file is missing or not a .NET assembly, it was built against an incompatible SDK, or it holds no connectors.</exception>
    public static (ConnectorCatalog Catalog, ConnectorLoadContext Context) Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException(Directory.Exists(path)
                ? $"--assembly '{path}' is a folder: give the connector's .dll, such as bin/Debug/net10.0/Acme.dll."
                : $"--assembly '{path}' does not exist.");
        }

        var file = Path.GetFileName(path);
        var context = ConnectorLoadContext.Create(path);
        try
        {
            Assembly assembly;
            try
            {
                assembly = context.LoadFromAssemblyPath(path);
            }
            catch (BadImageFormatException ex)
            {
                throw new CliException($"'{path}' is not a .NET assembly that can run: {ex.Message}", ex);
            }

            SdkCompatibility.Check(assembly, file);
            LoadReferences(assembly, context, file);
            ConnectorCatalog catalog;
            try
            {
                catalog = new ConnectorCatalog(assembly);
            }
            catch (InvalidOperationException ex)
            {
                throw new CliException($"{file}: {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or TypeLoadException or ReflectionTypeLoadException)
            {
                throw new CliException($"Loading the connectors in {file} failed: {ex.Message} Give the assembly in its build output folder, beside its .deps.json and dependencies.", ex);
            }

            if (catalog.Names.Count == 0)
            {
                throw new CliException($"{file} holds no connectors: a connector is a public class deriving from Tributary.Sdk.Connector with [Connector(\"name\")].");
            }

            return (catalog, context);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    /// <summary>Loads what the connector references directly, so a dependency missing from its folder is one clear line, not a failed sync.</summary>
    private static void LoadReferences(Assembly assembly, ConnectorLoadContext context, string file)
    {
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            try
            {
                context.LoadFromAssemblyName(reference);
            }
            catch (FileNotFoundException ex)
            {
                throw new CliException(
                    $"{file} references {reference.Name} {reference.Version}, which is neither beside it nor part of this tributary: build the connector with " +
                    "<CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies> so its packages are copied to its output folder, or use --project.", ex);
            }
        }
    }
}

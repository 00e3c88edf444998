using System.Reflection;
using System.Text.Json;

namespace Tributary.Sdk.Tests;

/// <summary>
/// The SDK is what connector authors compile against: BCL and logging abstractions only, never an Azure package —
/// neither directly nor through anything it pulls in.
/// </summary>
public sealed class SdkDependencyTests
{
    // The one package the SDK may reference; its own dependencies come with it.
    private const string LoggingAbstractions = "Microsoft.Extensions.Logging.Abstractions";

    private static readonly Assembly Sdk = typeof(Connector).Assembly;

    [Fact]
    public void ReferencedAssemblies_AreBclOrLoggingAbstractionsOnly()
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var allowed = new HashSet<string>(StringComparer.Ordinal) { LoggingAbstractions, "Microsoft.Extensions.DependencyInjection.Abstractions" };

        var others = Sdk.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !allowed.Contains(name) && !File.Exists(Path.Combine(frameworkDirectory, name + ".dll")))
            .ToList();

        Assert.Empty(others);
    }

    [Fact]
    public void ReferencedAssemblies_NoAzure()
    {
        Assert.DoesNotContain(Sdk.GetReferencedAssemblies(), a => IsAzure(a.Name!));
    }

    [Fact]
    public void ProjectAssets_PackageGraph_NoAzureAnywhere()
    {
        var packages = RestoredPackages();

        Assert.NotEmpty(packages);
        Assert.DoesNotContain(packages.Keys, IsAzure);
    }

    [Fact]
    public void ProjectAssets_DirectPackages_LoggingAbstractionsAndPrivateAnalyzersOnly()
    {
        using var assets = JsonDocument.Parse(File.ReadAllBytes(AssetsFile()));
        var dependencies = assets.RootElement.GetProperty("project").GetProperty("frameworks").EnumerateObject().Single().Value.GetProperty("dependencies");

        var flowing = dependencies.EnumerateObject()
            .Where(d => !(d.Value.TryGetProperty("suppressParent", out var suppress) && suppress.GetString() == "All"))
            .Select(d => d.Name)
            .ToList();

        Assert.Equal([LoggingAbstractions], flowing);
    }

    [Fact]
    public void ProjectAssets_PackageGraph_OnlyLoggingAbstractionsAndItsDependencies()
    {
        var packages = RestoredPackages();
        using var assets = JsonDocument.Parse(File.ReadAllBytes(AssetsFile()));
        var privateOnly = assets.RootElement.GetProperty("project").GetProperty("frameworks").EnumerateObject().Single().Value
            .GetProperty("dependencies").EnumerateObject()
            .Where(d => d.Value.TryGetProperty("suppressParent", out var suppress) && suppress.GetString() == "All")
            .Select(d => d.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var allowed = Closure(LoggingAbstractions, packages);
        var unexpected = packages.Keys.Where(p => !allowed.Contains(p) && !privateOnly.Contains(p)).ToList();

        Assert.Empty(unexpected);
    }

    [Fact]
    public void TestDepsJson_SdkDependencyClosure_NoAzure()
    {
        // The test's deps.json lists Tributary.Sdk's runtime dependencies as resolved beside the test binaries.
        var depsFile = Path.Combine(AppContext.BaseDirectory, Path.GetFileNameWithoutExtension(typeof(SdkDependencyTests).Assembly.Location) + ".deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllBytes(depsFile));
        var target = deps.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var graph = target.EnumerateObject().ToDictionary(
            p => p.Name[..p.Name.IndexOf('/', StringComparison.Ordinal)],
            p => p.Value.TryGetProperty("dependencies", out var d) ? d.EnumerateObject().Select(x => x.Name).ToArray() : [],
            StringComparer.OrdinalIgnoreCase);

        Assert.True(graph.ContainsKey("Tributary.Sdk"), $"{depsFile} does not list Tributary.Sdk.");
        var closure = Closure("Tributary.Sdk", graph);

        Assert.DoesNotContain(closure, IsAzure);
        Assert.Contains(LoggingAbstractions, closure);
    }

    private static bool IsAzure(string name) =>
        name.StartsWith("Azure.", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("Azure", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("Microsoft.Azure.", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("Microsoft.Identity.", StringComparison.OrdinalIgnoreCase);

    private static string AssetsFile()
    {
        var path = typeof(SdkDependencyTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SdkAssetsFile").Value!;
        Assert.True(File.Exists(path), $"The SDK's restore output {path} is missing; restore src/Sdk first.");
        return path;
    }

    /// <summary>Every package in the SDK's restored graph (all target frameworks), with its dependencies.</summary>
    private static Dictionary<string, string[]> RestoredPackages()
    {
        using var assets = JsonDocument.Parse(File.ReadAllBytes(AssetsFile()));
        var packages = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var target in assets.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                if (library.Value.GetProperty("type").GetString() != "package")
                {
                    continue;
                }

                var name = library.Name[..library.Name.IndexOf('/', StringComparison.Ordinal)];
                packages[name] = library.Value.TryGetProperty("dependencies", out var d) ? [.. d.EnumerateObject().Select(x => x.Name)] : [];
            }
        }

        return packages;
    }

    private static HashSet<string> Closure(string root, Dictionary<string, string[]> graph)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var name))
        {
            if (seen.Add(name) && graph.TryGetValue(name, out var next))
            {
                foreach (var dependency in next)
                {
                    pending.Push(dependency);
                }
            }
        }

        return seen;
    }
}

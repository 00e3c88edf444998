using System.Reflection;
using System.Xml.Linq;

namespace Tributary.Templates.Tests;

/// <summary>The repository these tests were built from: its root, the packages' version and what the build packs.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootDirectory = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tributary.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tributary.slnx above {AppContext.BaseDirectory}: run the tests from a build inside the repository.");
    });

    public static string Root => RootDirectory.Value;

    /// <summary>The configuration this assembly, and so the packed projects, were built in.</summary>
    public static string Configuration => Metadata("Configuration");

    /// <summary>The packed projects, relative to the root.</summary>
    public static IReadOnlyList<string> PackedProjects => Metadata("PackedProjects").Split(';', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The one version of every package: <c>VersionPrefix</c> in Directory.Build.props.</summary>
    public static string Version =>
        XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    /// <summary>The <c>tributary</c> command, as built with these tests.</summary>
    public static string Cli => Path.Combine(Root, "src", "Cli", "bin", Configuration, "net10.0", "tributary.dll");

    /// <summary>The template's folder.</summary>
    public static string Template => Path.Combine(Root, "templates", "tributary-connector");

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The assembly metadata {key} is empty.");
}

using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Tributary.Templates.Tests;

/// <summary>The versions the template's output references are the repository's, so the two cannot drift apart.</summary>
public sealed class TemplateVersionTests
{
    private static readonly JsonObject TributaryVersion =
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Template, ".template.config", "template.json")))!["symbols"]!["TributaryVersion"]!.AsObject();

    [Fact]
    public void TributaryVersion_DefaultAndReplacedText_AreTheRepositoryVersion()
    {
        Assert.Equal(Repository.Version, (string?)TributaryVersion["defaultValue"]);
        Assert.Equal(Repository.Version, (string?)TributaryVersion["replaces"]);
    }

    [Fact]
    public void TributaryVersion_ReplacedText_OnlyInTheTemplatesPackageVersions()
    {
        // The parameter replaces this text wherever it occurs: once, in Directory.Packages.props, and nowhere else.
        var replaced = (string)TributaryVersion["replaces"]!;
        var occurrences = Directory.GetFiles(Repository.Template, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.template.config{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Enumerable.Repeat(Path.GetRelativePath(Repository.Template, f), Count(File.ReadAllText(f), replaced)))
            .ToList();

        Assert.Equal(["Directory.Packages.props"], occurrences);
        Assert.Equal(replaced, PackageVersions(Path.Combine(Repository.Template, "Directory.Packages.props"), properties: true)["TributaryVersion"]);
    }

    [Fact]
    public void PackageVersions_TestPackages_AreTheRepositorys()
    {
        var repository = PackageVersions(Path.Combine(Repository.Root, "Directory.Packages.props"));
        var template = PackageVersions(Path.Combine(Repository.Template, "Directory.Packages.props"))
            .Where(p => !p.Key.StartsWith("Tributary.", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(["Microsoft.NET.Test.Sdk", "xunit", "xunit.runner.visualstudio"], template.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(template, p => Assert.Equal(repository[p.Key], p.Value));
    }

    /// <summary>A props file's <c>PackageVersion</c> items, or with <paramref name="properties"/> its properties.</summary>
    private static Dictionary<string, string> PackageVersions(string path, bool properties = false)
    {
        var document = XDocument.Load(path);
        return properties
            ? document.Descendants("PropertyGroup").Elements().ToDictionary(e => e.Name.LocalName, e => e.Value)
            : document.Descendants("PackageVersion").ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

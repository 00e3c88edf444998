using System.IO.Compression;
using System.Xml.Linq;

namespace Tributary.Templates.Tests;

/// <summary>What <c>dotnet pack</c> makes of the libraries and the template.</summary>
[Collection(PackedFeed.Collection)]
public sealed class PackagesTests(PackedFeed packed)
{
    private const string TemplatePackage = "Tributary.Templates";

    private static IEnumerable<string> PackageIds => Repository.PackedProjects.Select(Path.GetFileNameWithoutExtension)!;

    private static IEnumerable<string> Libraries => PackageIds.Where(id => id != TemplatePackage);

    [Fact]
    public void Pack_EveryPackedProject_OnePackageAtTheOneVersion()
    {
        var packages = Directory.GetFiles(packed.Feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(PackageIds.Select(id => $"{id}.{Repository.Version}.nupkg").Order(StringComparer.Ordinal), packages);
        Assert.Contains("Tributary.Sdk.Testing", PackageIds);
    }

    [Fact]
    public void Pack_EachLibrary_CarriesItsXmlDocsReadmeLicenseAndCommit()
    {
        var inGit = Path.Exists(Path.Combine(Repository.Root, ".git"));
        foreach (var id in Libraries)
        {
            using var package = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{id}.{Repository.Version}.nupkg"));
            var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
            Assert.Contains("README.md", entries);

            var metadata = Nuspec(package, id);
            Assert.Equal(Repository.Version, Value(metadata, "version"));
            Assert.Equal("MIT", Value(metadata, "license"));
            Assert.Equal("README.md", Value(metadata, "readme"));
            Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")), $"{id} has no description.");
            Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "tags")), $"{id} has no tags.");
            if (inGit)
            {
                // SourceLink: the commit the package was built from (and the remote's URL, where the clone has one).
                Assert.Matches("^[0-9a-f]{40}$", (string?)Element(metadata, "repository").Attribute("commit") ?? "");
            }

            // A package depends on the other Tributary packages at its own version.
            var tributaryDependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency" && ((string?)e.Attribute("id"))!.StartsWith("Tributary.", StringComparison.Ordinal));
            Assert.All(tributaryDependencies, d => Assert.Equal(Repository.Version, (string?)d.Attribute("version")));
        }
    }

    [Fact]
    public void Pack_Template_HoldsTheTemplateSourcesAndNoBuildOutput()
    {
        using var package = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{TemplatePackage}.{Repository.Version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToList();

        Assert.Equal("Template", Value(Nuspec(package, TemplatePackage), "packageType", attribute: "name"));
        Assert.Contains("content/tributary-connector/.template.config/template.json", entries);
        Assert.Contains("content/tributary-connector/.gitignore", entries);
        Assert.Contains("content/tributary-connector/src/Acme/AcmeConnector.cs", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.Contains("/bin/", StringComparison.Ordinal) || e.Contains("/obj/", StringComparison.Ordinal));
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        using var stream = (package.GetEntry($"{id}.nuspec") ?? throw new InvalidOperationException($"{id} has no nuspec.")).Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static XElement Element(XElement metadata, string name) =>
        metadata.Descendants().FirstOrDefault(e => e.Name.LocalName == name) ?? throw new InvalidOperationException($"The nuspec has no <{name}>.");

    private static string? Value(XElement metadata, string name, string? attribute = null) =>
        attribute is null ? Element(metadata, name).Value : (string?)Element(metadata, name).Attribute(attribute);
}

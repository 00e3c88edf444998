using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Tributary.Templates.Tests;

/// <summary>
/// What an author does, from an empty folder and offline: install the template, <c>dotnet new tributary-connector -n Acme</c>,
/// then build and test the result against the packed packages alone.
/// </summary>
[Collection(PackedFeed.Collection)]
public sealed class TemplateTests(PackedFeed packed, ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task NewTributaryConnector_Acme_BuildsAndItsTestsPassOfflineAgainstTheFeed()
    {
        output.WriteLine($"pack: {packed.PackTime.TotalSeconds:F1} s");
        var hive = Path.Combine(packed.Directory, "hive");
        var acme = Directory.CreateDirectory(Path.Combine(packed.Directory, "Acme")).FullName;
        var template = Path.Combine(packed.Feed, $"Tributary.Templates.{Repository.Version}.nupkg");

        await RunAsync("template", packed.Directory, Variables(), "new", "install", template, "--debug:custom-hive", hive);
        await RunAsync("instantiate", packed.Directory, Variables(), "new", "tributary-connector", "-n", "Acme", "-o", acme, "--no-update-check", "--debug:custom-hive", hive);
        Assert.True(File.Exists(Path.Combine(acme, "src", "Acme", "AcmeConnector.cs")), "The template made no src/Acme/AcmeConnector.cs.");
        Assert.Contains("[Connector(\"acme\"", await File.ReadAllTextAsync(Path.Combine(acme, "src", "Acme", "AcmeConnector.cs")), StringComparison.Ordinal);

        // Offline: only the feed and the machine's package folder as sources, the Tributary packages from the feed alone, and
        // a package folder of its own, so no Tributary package restored earlier on this machine can stand in for the feed's.
        await WriteNuGetConfigAsync(acme, packed.Feed, await GlobalPackagesFolderAsync());
        var packages = Path.Combine(packed.Directory, "packages");
        var offline = Variables(("NUGET_PACKAGES", packages));
        await RunAsync("restore", acme, offline, "restore", "Acme.slnx");
        await RunAsync("build", acme, offline, "build", "Acme.slnx", "--no-restore", "-warnaserror");
        var results = Path.Combine(packed.Directory, "results");
        await RunAsync("test", acme, offline, "test", "Acme.slnx", "--no-build", "--logger", "trx;LogFileName=acme.trx", "--results-directory", results);

        foreach (var id in new[] { "tributary.sdk", "tributary.sdk.http", "tributary.sdk.testing" })
        {
            using var metadata = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(packages, id, Repository.Version, ".nupkg.metadata")));
            Assert.Equal(Path.GetFullPath(packed.Feed), Path.GetFullPath(metadata.RootElement.GetProperty("source").GetString()!));
        }

        var run = XDocument.Load(Directory.GetFiles(results, "acme.trx", SearchOption.AllDirectories).Single());
        var counters = run.Descendants().Single(e => e.Name.LocalName == "Counters");
        var outcomes = run.Descendants().Where(e => e.Name.LocalName == "UnitTestResult")
            .ToDictionary(e => ((string)e.Attribute("testName")!).Split('.').Last(), e => (string?)e.Attribute("outcome"));
        output.WriteLine(counters.ToString());
        Assert.Equal(0, (int)counters.Attribute("failed")!);
        Assert.Equal((int)counters.Attribute("total")!, (int)counters.Attribute("passed")!);
        Assert.Equal("Passed", outcomes.GetValueOrDefault("UpdateAsync_TwoSyncs_LoadsItemsThenOnlyTheChanges"));
        Assert.Equal("Passed", outcomes.GetValueOrDefault("Conformance_AgainstTheFakeApi_Passes"));

        // The local loop: the tributary command builds the generated project and syncs it into a warehouse of its own.
        using var api = StaticApi.Start("""{"items": [{"id": 1, "name": "anvil", "updated_at": "2024-09-01T10:00:00Z"}], "next_cursor": null}""");
        await File.WriteAllTextAsync(Path.Combine(acme, "local.json"), $$"""{"base_url": "{{api.BaseUrl}}"}""");
        var debug = await RunAsync("debug", acme, Variables(("NUGET_PACKAGES", packages), ("TRIBUTARY_SECRET_ACME_API_KEY", "local-key")),
            Repository.Cli, "debug", "acme", "--project", "src/Acme", "--configuration", "local.json", "--files", Path.Combine(packed.Directory, "files"));
        Assert.Contains("Upserts       | 1", debug.Output, StringComparison.Ordinal);
        Assert.Contains("Sync SUCCEEDED", debug.Output, StringComparison.Ordinal);
        Assert.Equal("Bearer local-key", api.Authorization);
    }

    [Fact]
    public async Task NewTributaryConnector_InsideATributaryRepository_ReferencesItsProjectsInsteadOfThePackages()
    {
        // A fork that ships the connector from connectors/Acme: only the solution file marks the repository's root.
        var fork = Directory.CreateDirectory(Path.Combine(packed.Directory, "fork")).FullName;
        await File.WriteAllTextAsync(Path.Combine(fork, "Tributary.slnx"), "<Solution />");
        var acme = Path.Combine(fork, "connectors", "Acme");
        var hive = Path.Combine(packed.Directory, "fork-hive");
        var template = Path.Combine(packed.Feed, $"Tributary.Templates.{Repository.Version}.nupkg");
        await RunAsync("template", packed.Directory, Variables(), "new", "install", template, "--debug:custom-hive", hive);
        await RunAsync("instantiate", packed.Directory, Variables(), "new", "tributary-connector", "-n", "Acme", "-o", acme, "--no-update-check", "--debug:custom-hive", hive);

        (string Project, string[] Expected)[] projects =
        [
            (Path.Combine(acme, "src", "Acme", "Acme.csproj"), ["src/Sdk/Tributary.Sdk.csproj", "src/Sdk.Http/Tributary.Sdk.Http.csproj"]),
            (Path.Combine(acme, "tests", "Acme.Tests", "Acme.Tests.csproj"), ["src/Sdk.Testing/Tributary.Sdk.Testing.csproj"]),
        ];
        foreach (var (project, expected) in projects)
        {
            var evaluated = await RunAsync("evaluate", acme, Variables(), "msbuild", project, "-getItem:PackageReference", "-getItem:ProjectReference");
            using var items = JsonDocument.Parse(evaluated.Output[evaluated.Output.IndexOf('{', StringComparison.Ordinal)..]);
            string[] Identities(string item) =>
                [.. items.RootElement.GetProperty("Items").GetProperty(item).EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!)];

            Assert.DoesNotContain(Identities("PackageReference"), id => id.StartsWith("Tributary.", StringComparison.Ordinal));
            var references = Identities("ProjectReference").Where(path => Path.IsPathRooted(path))
                .Select(path => Path.GetRelativePath(fork, path).Replace('\\', '/')).Order(StringComparer.Ordinal);
            Assert.Equal(expected.Order(StringComparer.Ordinal), references);
            Assert.All(expected, path => Assert.True(File.Exists(Path.Combine(Repository.Root, path)), $"The template maps a package to {path}, which this repository does not have."));
        }
    }

    private async Task<CommandResult> RunAsync(string step, string directory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await Dotnet.RunAsync(directory, environment, Step, arguments);
        output.WriteLine($"{step}: {stopwatch.Elapsed.TotalSeconds:F1} s");
        return result.EnsureSuccess();
    }

    /// <summary>The machine's global packages folder, which every project of the repository restored into.</summary>
    private static async Task<string> GlobalPackagesFolderAsync()
    {
        const string Prefix = "global-packages:";
        var result = (await Dotnet.RunAsync(Repository.Root, Variables(), Step, "nuget", "locals", "global-packages", "--list")).EnsureSuccess();
        var line = result.Output.Split('\n').Select(l => l.Trim()).SingleOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"`dotnet nuget locals global-packages --list` named no folder:{Environment.NewLine}{result.Output}");
        return line[Prefix.Length..].Trim();
    }

    private static Task WriteNuGetConfigAsync(string directory, string feed, string globalPackages) =>
        File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), new XDocument(
            new XElement("configuration",
                new XElement("packageSources",
                    new XElement("clear"),
                    Source("tributary", feed),
                    Source("machine", globalPackages)),
                new XElement("packageSourceMapping",
                    new XElement("packageSource", new XAttribute("key", "tributary"), new XElement("package", new XAttribute("pattern", "Tributary.*"))),
                    new XElement("packageSource", new XAttribute("key", "machine"), new XElement("package", new XAttribute("pattern", "*")))))).ToString());

    private static XElement Source(string key, string path) => new("add", new XAttribute("key", key), new XAttribute("value", path));

    private static Dictionary<string, string?> Variables(params (string Name, string? Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value);
}

using System.Diagnostics;
using System.Security;

namespace Tributary.Templates.Tests;

/// <summary>
/// Every package and the template packed into a folder feed in a temporary directory, once for the tests that use it, from
/// the build this test project just made (no rebuild). Deleted afterwards.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>The collection of the tests that share one feed.</summary>
    public const string Collection = "Packed feed";

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("tributary-templates-").FullName;

    public string Feed => Path.Combine(Directory, "feed");

    /// <summary>How long packing took.</summary>
    public TimeSpan PackTime { get; private set; }

    public async Task InitializeAsync()
    {
        // One MSBuild run packs them all: `dotnet pack --no-build` per project would start nine.
        var projects = string.Join(Environment.NewLine, Repository.PackedProjects.Select(p =>
            $"    <PackedProject Include=\"{SecurityElement.Escape(Path.Combine(Repository.Root, p))}\" />"));
        var packProject = Path.Combine(Directory, "pack.proj");
        await File.WriteAllTextAsync(packProject, $"""
            <Project>
              <ItemGroup>
            {projects}
              </ItemGroup>
              <Target Name="Pack">
                <MSBuild Projects="@(PackedProject)" Targets="Pack" Properties="Configuration=$(Configuration);NoBuild=true;PackageOutputPath=$(Feed)/;NuspecOutputPath=$(Nuspecs)/" />
              </Target>
            </Project>
            """);

        var stopwatch = Stopwatch.StartNew();
        (await Dotnet.RunAsync(Directory, new Dictionary<string, string?>(), TimeSpan.FromMinutes(5),
            "msbuild", packProject, "-t:Pack", "-nologo", "-v:minimal",
            $"-p:Configuration={Repository.Configuration}", $"-p:Feed={Feed}", $"-p:Nuspecs={Path.Combine(Directory, "nuspec")}")).EnsureSuccess();
        PackTime = stopwatch.Elapsed;
    }

    public Task DisposeAsync()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary directory must not fail the tests.
        }

        return Task.CompletedTask;
    }
}

/// <summary>The tests that share one <see cref="PackedFeed"/>.</summary>
[CollectionDefinition(PackedFeed.Collection)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>;

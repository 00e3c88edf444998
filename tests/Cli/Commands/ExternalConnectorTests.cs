using System.Globalization;
using System.Runtime.CompilerServices;
using Tributary.Cli.Loading;
using Tributary.Cli.Tests.Support;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

/// <summary>
/// <c>--project</c> and <c>--assembly</c>: a connector from a project outside this repository is built, loaded in its own
/// collectible context with its own packages and this tributary's Tributary.Sdk, run, and unloaded; every way it can go
/// wrong is one line and exit code 1.
/// </summary>
public sealed class ExternalConnectorTests(ConnectorProjects projects) : IClassFixture<ConnectorProjects>, IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Debug_Project_BuildsItAndSyncsItsConnectorWithItsOwnPackagesAndTheHostsSdk()
    {
        await projects.AcmeAssemblyAsync();   // the first build is the fixture's; this one finds it up to date

        var result = await _cli.RunAsync("debug", "acme", "--project", projects.AcmeProject);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal("Sync SUCCEEDED", result.LastLine);
        Assert.Contains("Upserts       | 3", result.Output, StringComparison.Ordinal);
        Assert.Contains("Checkpoints   | 1", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Build succeeded", result.Output + result.Error, StringComparison.Ordinal);
        var rows = await _cli.Warehouse.QueryAsync("SELECT id, quantity, collectible, sdk_shared FROM acme.orders ORDER BY id", CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], rows.Select(r => Convert.ToInt64(r["id"], CultureInfo.InvariantCulture)));
        Assert.Equal(["1 item", "2 items", "3 items"], rows.Select(r => (string?)r["quantity"]));   // Humanizer, from the connector's folder
        Assert.All(rows, r => Assert.Equal(true, r["collectible"]));
        Assert.All(rows, r => Assert.Equal(true, r["sdk_shared"]));
    }

    [Fact]
    public async Task Debug_Assembly_SyncsAndTheOtherCommandsFindTheConnectionByTheSameAssembly()
    {
        var assembly = await projects.AcmeAssemblyAsync();

        var result = await _cli.RunAsync("debug", "acme", "--assembly", assembly);
        var state = await _cli.RunAsync("state", "show", "acme", "--assembly", assembly);
        var runs = await _cli.RunAsync("runs", "acme", "--assembly", assembly);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal("Sync SUCCEEDED", result.LastLine);
        Assert.Equal(3, (await _cli.Warehouse.QueryAsync("SELECT * FROM acme.orders", CancellationToken.None)).Count);
        Assert.Contains("\"cursor\": 3", state.Output, StringComparison.Ordinal);
        Assert.Contains(" Succeeded ", runs.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAndSchema_Assembly_ShowOnlyItsConnectors()
    {
        var assembly = await projects.AcmeAssemblyAsync();

        var list = await _cli.RunAsync("list", "--assembly", assembly);
        var schema = await _cli.RunAsync("schema", "acme", "--assembly", assembly);
        var builtIn = await _cli.RunAsync("schema", "hello", "--assembly", assembly);

        Assert.Equal("acme  Orders from Acme.", list.Output.Trim());
        Assert.Equal("acme.orders  primary key: id", schema.Output.Trim());
        Assert.Equal(1, builtIn.ExitCode);
        Assert.Equal("error: Unknown connector 'hello'. Known connectors: acme.", builtIn.Error.Trim());
    }

    /// <summary>
    /// Nothing outside the load context keeps the connector once the command ends. (A sync is not checked here: the runtime
    /// reads row objects and serialises state through System.Text.Json's default options, whose metadata cache keeps a
    /// connector's row and state types, and so its assembly, until the process ends — which, for the tributary command, is when the
    /// command ends.)
    /// </summary>
    [Fact]
    public async Task Schema_Assembly_LeavesNothingLoadedWhenTheCommandEnds()
    {
        // A copy of the build output of its own, so the check sees only what this command loaded.
        var built = Path.GetDirectoryName(await projects.AcmeAssemblyAsync())!;
        var folder = Directory.CreateDirectory(Path.Combine(_cli.Root, "unload")).FullName;
        foreach (var file in Directory.GetFiles(built))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var result = await _cli.RunAsync("schema", "acme", "--assembly", Path.Combine(folder, "Acme.dll"));
        Assert.Equal("acme.orders  primary key: id", result.Output.Trim());
        await Task.Yield();   // off the stack of continuations the command completed on, which still holds its frames

        for (var attempt = 0; attempt < 20 && LoadedFrom(folder); attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(LoadedFrom(folder), "The connector's assembly is still loaded after the command ended and 20 collections.");
    }

    [Fact]
    public async Task Debug_AssemblyBuiltAgainstANewerSdk_FailsInOneLineNamingBothVersions()
    {
        var host = SdkCompatibility.Display(typeof(Connector).Assembly.GetName().Version!);

        var result = await _cli.RunAsync("debug", "future", "--assembly", await projects.FutureAssemblyAsync());

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"error: Future.dll was built against Tributary.Sdk 99.0.0, and this tributary has {host}: " +
            $"build the connector against Tributary.Sdk {host} or older, or use a tributary built with Tributary.Sdk 99.0.0 or newer.",
            result.Error.Trim());
        Assert.False(File.Exists(_cli.Warehouse.DatabasePath));
    }

    [Fact]
    public async Task Debug_ProjectThatDoesNotCompile_ShowsTheCompilerErrorThenOneLineNamingTheProject()
    {
        var result = await _cli.RunAsync("debug", "broken", "--project", projects.BrokenProject);

        Assert.Equal(1, result.ExitCode);
        var lines = result.Error.Trim().Split('\n');
        Assert.Contains(lines, l => l.Contains("error CS", StringComparison.Ordinal) && l.Contains("Broken.cs", StringComparison.Ordinal));
        Assert.Equal(
            $"error: Building {Path.Combine(projects.BrokenProject, "Broken.csproj")} failed (dotnet build exited with 1); its errors are above.",
            lines[^1].Trim());
        Assert.False(File.Exists(_cli.Warehouse.DatabasePath));
    }

    [Fact]
    public async Task Debug_FileThatIsNotAnAssembly_FailsInOneLine()
    {
        var path = Path.Combine(_cli.Root, "Garbage.dll");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);

        var result = await _cli.RunAsync("debug", "acme", "--assembly", path);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith($"error: '{path}' is not a .NET assembly", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_AssemblyWithAMalformedDepsJson_FailsInOneLineNamingTheFile()
    {
        var built = await projects.AcmeAssemblyAsync();
        var folder = Directory.CreateDirectory(Path.Combine(_cli.Root, "malformed")).FullName;
        File.Copy(built, Path.Combine(folder, "Acme.dll"));
        await File.WriteAllTextAsync(Path.Combine(folder, "Acme.deps.json"), "{ not json");

        var result = await _cli.RunAsync("list", "--assembly", Path.Combine(folder, "Acme.dll"));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("error: The dependencies of Acme.dll cannot be resolved: ", line, StringComparison.Ordinal);
        Assert.Contains("Acme.deps.json", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_MissingAssembly_FailsInOneLine()
    {
        var path = Path.Combine(_cli.Root, "Missing.dll");

        var result = await _cli.RunAsync("debug", "acme", "--assembly", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: --assembly '{path}' does not exist.", result.Error.Trim());
    }

    [Fact]
    public async Task List_AssemblyWithoutConnectors_FailsInOneLine()
    {
        var humanizer = Path.Combine(Path.GetDirectoryName(await projects.AcmeAssemblyAsync())!, "Humanizer.dll");

        var result = await _cli.RunAsync("list", "--assembly", humanizer);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "error: Humanizer.dll holds no connectors: a connector is a public class deriving from Tributary.Sdk.Connector with [Connector(\"name\")].",
            result.Error.Trim());
    }

    [Fact]
    public async Task List_AssemblyCopiedWithoutItsPackages_FailsInOneLineNamingTheMissingOne()
    {
        var built = await projects.AcmeAssemblyAsync();
        var alone = Directory.CreateDirectory(Path.Combine(_cli.Root, "alone")).FullName;
        foreach (var file in new[] { "Acme.dll", "Acme.deps.json" })
        {
            File.Copy(Path.Combine(Path.GetDirectoryName(built)!, file), Path.Combine(alone, file));
        }

        var result = await _cli.RunAsync("list", "--assembly", Path.Combine(alone, "Acme.dll"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: Acme.dll references Humanizer 2.14.0.0, which is neither beside it nor part of this tributary", result.Error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_ProjectFolderWithTwoProjects_FailsNamingThem()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_cli.Root, "two")).FullName;
        File.WriteAllText(Path.Combine(folder, "A.csproj"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "B.csproj"), "<Project />");

        var result = await _cli.RunAsync("debug", "acme", "--project", folder);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: --project '{folder}' holds 2 projects (A.csproj, B.csproj): give the one to build.", result.Error.Trim());
    }

    [Fact]
    public async Task Debug_AssemblyAndProject_FailsInOneLine()
    {
        var result = await _cli.RunAsync("debug", "acme", "--assembly", "Acme.dll", "--project", ".");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: Give --assembly or --project, not both.", result.Error.Trim());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool LoadedFrom(string folder) =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => !a.IsDynamic && a.Location.StartsWith(folder, StringComparison.Ordinal));
}

using Tributary.Cli.Loading;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Support;

/// <summary>
/// Connector projects written to a temporary folder outside the repository, as an author's own repository would be, each
/// built at most once for every test that uses it:
/// <c>Acme</c> references this repository's Tributary.Sdk project and the Humanizer.Core package (which this tributary
/// does not ship); <c>Future</c> references a Tributary.Sdk built from this repository's SDK sources as version 99.0.0;
/// <c>Broken</c> does not compile.
/// </summary>
public sealed class ConnectorProjects : IDisposable
{
    private readonly SemaphoreSlim _building = new(1, 1);
    private string? _acme;
    private string? _future;

    public ConnectorProjects()
    {
        Root = Directory.CreateTempSubdirectory("tributary-connectors-").FullName;

        // The author's repository has no Directory.Build.props of ours: these stop MSBuild looking above the temp folder.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />");

        WriteProject("Acme", $"""
            <ProjectReference Include="{Path.Combine(RepositoryRoot.Location, "src", "Sdk", "Tributary.Sdk.csproj")}" />
            <PackageReference Include="Humanizer.Core" Version="2.14.1" />
            """, AcmeSource);
        // The repository's SDK sources as Tributary.Sdk 99.0.0: a connector built against an SDK newer than this tributary's.
        var logging = Path.Combine(AppContext.BaseDirectory, "Microsoft.Extensions.Logging.Abstractions.dll");
        WriteProject("Sdk99", $"""
            <Compile Include="{Path.Combine(RepositoryRoot.Location, "src", "Sdk")}/*.cs" />
            <Reference Include="Microsoft.Extensions.Logging.Abstractions" HintPath="{logging}" />
            """, source: null, properties: "<AssemblyName>Tributary.Sdk</AssemblyName><Version>99.0.0</Version>");
        WriteProject("Future", $"""
            <ProjectReference Include="../Sdk99/Sdk99.csproj" />
            <Reference Include="Microsoft.Extensions.Logging.Abstractions" HintPath="{logging}" />
            """, FutureSource);
        WriteProject("Broken", "", "public sealed class Broken { int }");
    }

    /// <summary>The temporary folder that holds the projects.</summary>
    public string Root { get; }

    /// <summary>The folder of the Acme project (for <c>--project</c>).</summary>
    public string AcmeProject => Path.Combine(Root, "Acme");

    /// <summary>The folder of the Broken project.</summary>
    public string BrokenProject => Path.Combine(Root, "Broken");

    /// <summary>Acme.dll in its build output folder, built on first use.</summary>
    public async Task<string> AcmeAssemblyAsync()
    {
        await _building.WaitAsync();
        try
        {
            return _acme ??= await BuildAsync(AcmeProject);
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>Future.dll, built against Tributary.Sdk 99.0.0, on first use.</summary>
    public async Task<string> FutureAssemblyAsync()
    {
        await _building.WaitAsync();
        try
        {
            return _future ??= await BuildAsync(Path.Combine(Root, "Future"));
        }
        finally
        {
            _building.Release();
        }
    }

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        _building.Dispose();
    }

    /// <summary>Builds as <c>--project</c> does; a failure carries the build's errors.</summary>
    private static async Task<string> BuildAsync(string project)
    {
        using var errors = new StringWriter();
        try
        {
            return await ProjectBuild.BuildAsync(project, errors, CancellationToken.None);
        }
        catch (CliException ex)
        {
            throw new InvalidOperationException($"{ex.Message}\n{errors}", ex);
        }
    }

    private void WriteProject(string name, string items, string? source, string properties = "")
    {
        var folder = Directory.CreateDirectory(Path.Combine(Root, name)).FullName;
        File.WriteAllText(Path.Combine(folder, $"{name}.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                {properties}
              </PropertyGroup>
              <ItemGroup>
            {items}
              </ItemGroup>
            </Project>
            """);
        if (source is not null)
        {
            File.WriteAllText(Path.Combine(folder, $"{name}.cs"), source);
        }
    }

    /// <summary>Three orders; each row says whether the connector ran in a collectible context with the host's Tributary.Sdk.</summary>
    private const string AcmeSource = """
        using System.Runtime.Loader;
        using Humanizer;
        using Tributary.Sdk;

        namespace Acme;

        [Connector("acme", Description = "Orders from Acme.")]
        public sealed class AcmeConnector : Connector
        {
            public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
                [new TableDefinition("orders") { PrimaryKey = ["id"] }];

            public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
            {
                for (var id = 1; id <= 3; id++)
                {
                    await context.UpsertAsync("orders", new
                    {
                        id,
                        quantity = "item".ToQuantity(id),
                        collectible = AssemblyLoadContext.GetLoadContext(typeof(AcmeConnector).Assembly)!.IsCollectible,
                        sdk_shared = AssemblyLoadContext.GetLoadContext(typeof(Connector).Assembly) == AssemblyLoadContext.Default,
                    }, cancellationToken);
                }

                await context.CheckpointAsync(new { cursor = 3 }, cancellationToken);
            }
        }
        """;

    private const string FutureSource = """
        using Tributary.Sdk;

        namespace Future;

        [Connector("future")]
        public sealed class FutureConnector : Connector
        {
            public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """;
}

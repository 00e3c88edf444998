using System.Text.Json.Nodes;
using Json.Schema;
using Tributary.Infra.Tests.Support;
using Tributary.Testing;

namespace Tributary.Infra.Tests;

/// <summary>azure.yaml: valid for azd, one .NET Functions service that deploys to the tagged Function App.</summary>
[Collection(InfraCollection.Name)]
public sealed class AzureYamlTests(InfraFixture fixture)
{
    private static readonly Uri SchemaBase = new("https://raw.githubusercontent.com/Azure/azure-dev/main/");

    private static JsonObject AzureYaml =>
        YamlJson.Load(RepositoryPaths.AzureYaml)?.AsObject()
        ?? throw new InvalidDataException("azure.yaml holds no mapping.");

    private static KeyValuePair<string, JsonNode?> OnlyService
    {
        get
        {
            var services = AzureYaml["services"]?.AsObject() ?? throw new InvalidDataException("azure.yaml has no services.");
            return Assert.Single(services);
        }
    }

    [OutsideRepositoryFact(RepositoryPaths.AzureYamlSchemaFromRoot + "/azure.yaml.json", RepositoryPaths.AzureYamlSchemaFromRoot + "/refs")]
    public void AzureYaml_Schema_Validates()
    {
        var schema = LoadSchema(out var options);

        var result = schema.Evaluate(AzureYaml, options);

        Assert.True(result.IsValid, $"azure.yaml does not match azd's schema:{Environment.NewLine}{Describe(result)}");
    }

    [Fact]
    public void AzureYaml_Service_IsDotnetFunction()
    {
        var service = OnlyService.Value!;

        Assert.Equal("function", service.String("host"));
        Assert.Equal("dotnet", service.String("language"));
    }

    [Fact]
    public void AzureYaml_ServiceProject_HoldsCsproj()
    {
        var project = OnlyService.Value!.String("project");
        var directory = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, project));

        Assert.Equal(RepositoryPaths.Under("src", "FunctionsHost"), directory.TrimEnd(Path.DirectorySeparatorChar));
        Assert.True(Directory.Exists(directory), $"The service project {project} does not exist.");
        Assert.NotEmpty(Directory.EnumerateFiles(directory, "*.csproj"));
    }

    [Fact]
    public void AzureYaml_ServiceName_MatchesFunctionAppTag()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var site = snapshot.Single("Microsoft.Web/sites");

            Assert.Equal(OnlyService.Key, site.String("tags.azd-service-name"));
        }
    }

    [Fact]
    public void AzureYaml_Infra_PointsAtMainBicep()
    {
        var infra = AzureYaml["infra"]!;
        var path = Path.Combine(RepositoryPaths.Root, infra.String("path"), $"{infra.String("module")}.bicep");

        Assert.Equal("bicep", infra.String("provider"));
        Assert.Equal(RepositoryPaths.MainBicep, Path.GetFullPath(path));
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Infra, "main.parameters.json")));
    }

    [Fact]
    public void AzureYaml_PostprovisionHook_RunsScriptsThatExist()
    {
        var hook = AzureYaml.At("hooks.postprovision") ?? throw new InvalidDataException("azure.yaml has no postprovision hook.");

        Assert.Equal("sh", hook.String("posix.shell"));
        Assert.Equal("pwsh", hook.String("windows.shell"));
        foreach (var script in new[] { hook.String("posix.run"), hook.String("windows.run") })
        {
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, script)), $"The hook script {script} does not exist.");
        }
    }

    private static JsonSchema LoadSchema(out EvaluationOptions options)
    {
        var directory = RepositoryPaths.AzureYamlSchemaDirectory;
        var main = Path.Combine(directory, "azure.yaml.json");
        if (!File.Exists(main))
        {
            throw new FileNotFoundException(
                $"azd's azure.yaml schema is missing: expected {main} (shared/schemas/azure-yaml beside the repository).", main);
        }

        options = new EvaluationOptions { OutputFormat = OutputFormat.List };

        // The schemas the main one references, each registered under its original address.
        var references = Path.Combine(directory, "refs");
        foreach (var file in Directory.EnumerateFiles(references, "*.json", SearchOption.AllDirectories))
        {
            var address = new Uri(SchemaBase, Path.GetRelativePath(references, file).Replace('\\', '/'));
            var node = JsonNodes.LoadObject(file);
            node.Remove("$id");
            options.SchemaRegistry.Register(address, JsonSchema.FromText(node.ToJsonString()));
        }

        var schema = JsonSchema.FromText(File.ReadAllText(main));
        options.SchemaRegistry.Register(schema);
        return schema;
    }

    private static string Describe(EvaluationResults result) =>
        string.Join(
            Environment.NewLine,
            // A failed `if` only picks a branch; it is not an error of the document.
            (result.Details ?? []).Where(detail => detail.HasErrors && !detail.EvaluationPath.ToString().Contains("/if", StringComparison.Ordinal))
                .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation} ({detail.EvaluationPath}): {error.Key}: {error.Value}")));
}

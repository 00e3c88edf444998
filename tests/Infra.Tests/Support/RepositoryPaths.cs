namespace Tributary.Infra.Tests.Support;

/// <summary>Where the repository and the files beside it are, found from the test assembly's folder.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository root: the folder that holds Tributary.slnx.</summary>
    public static string Root => RootPath.Value;

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    public static string Snapshots => Path.Combine(Infra, "snapshots");

    public static string AzureYaml => Path.Combine(Root, "azure.yaml");

    public static string Workflow => Path.Combine(Root, ".github", "workflows", "azure-dev.yml");

    /// <summary>
    /// azd's azure.yaml schema, relative to the root: kept in shared/ beside the repository (CI clones the repository into a
    /// folder with a copy of shared/ next to it; a plain clone has none, and the tests that need it skip).
    /// </summary>
    public const string AzureYamlSchemaFromRoot = "../shared/schemas/azure-yaml";

    /// <summary>azd's azure.yaml schema folder (see <see cref="AzureYamlSchemaFromRoot"/>).</summary>
    public static string AzureYamlSchemaDirectory => Path.GetFullPath(Path.Combine(Root, AzureYamlSchemaFromRoot));

    public static string Under(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tributary.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Tributary.slnx above {AppContext.BaseDirectory}: the tests must run from a build inside the repository.");
    }
}

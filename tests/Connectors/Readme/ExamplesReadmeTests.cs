using Tributary.Runtime;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Readme;

/// <summary>src/Connectors/README.md lists every registered example, with its folder, its README and the original it ports.</summary>
public sealed class ExamplesReadmeTests
{
    private static readonly string ConnectorsDirectory = Path.Combine(RepositoryRoot.Location, "src", "Connectors");

    [Fact]
    public void ExamplesReadme_EveryRegisteredConnector_HasARowWithItsFolderAndOriginal()
    {
        var readme = File.ReadAllLines(Path.Combine(ConnectorsDirectory, "README.md"));
        var catalog = new ConnectorCatalog(typeof(Tributary.Connectors.Hello.HelloConnector).Assembly);

        foreach (var name in catalog.Names)
        {
            var row = readme.SingleOrDefault(line => line.StartsWith('|') && line.Contains($"| `{name}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"src/Connectors/README.md has no row for `{name}`.");
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            var folder = cells[3][(cells[3].IndexOf('(', StringComparison.Ordinal) + 1)..cells[3].IndexOf(')', StringComparison.Ordinal)].TrimEnd('/');
            Assert.True(File.Exists(Path.Combine(ConnectorsDirectory, folder, "README.md")), $"`{name}`'s folder {folder} has no README.md.");
            var original = cells[4];
            Assert.True(
                original.Contains("](https://github.com/fivetran/fivetran_connector_sdk/tree/main/", StringComparison.Ordinal) || original == "Tributary's own",
                $"`{name}`'s row names no Fivetran original: {original}");
        }
    }

    [Fact]
    public void ExamplesReadme_RelativeLinks_Resolve()
    {
        var readme = File.ReadAllText(Path.Combine(ConnectorsDirectory, "README.md"));

        var broken = System.Text.RegularExpressions.Regex.Matches(readme, @"\]\((?!https?:|#)([^)]+)\)")
            .Select(m => m.Groups[1].Value)
            .Where(link => !Path.Exists(Path.Combine(ConnectorsDirectory, link)))
            .ToList();

        Assert.True(broken.Count == 0, $"src/Connectors/README.md links to what does not exist: {string.Join(", ", broken)}");
    }
}

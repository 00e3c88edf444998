using System.Text.Json.Nodes;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>The Bicep CLI's own checks: build, lint, build-params and snapshot validation, all with zero diagnostics.</summary>
[Collection(InfraCollection.Name)]
public sealed class BicepCliTests(InfraFixture fixture)
{
    public static TheoryData<string> BicepFiles => FilesUnderInfra("*.bicep");

    public static TheoryData<string> ParametersFiles => FilesUnderInfra("*.bicepparam");

    [Fact]
    public void Build_MainBicep_CompilesWithoutDiagnostics()
    {
        Assert.True(fixture.BuildResult.ExitCode == 0, fixture.BuildResult.ToString());
        Assert.True(string.IsNullOrWhiteSpace(fixture.BuildResult.StandardError), $"bicep build reported diagnostics. {fixture.BuildResult}");
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Lint_BicepFile_ReportsNoDiagnostics(string relativePath)
    {
        var result = BicepCli.Run("lint", RepositoryPaths.Under(relativePath), "--diagnostics-format", "sarif");

        Assert.True(result.ExitCode == 0, result.ToString());
        var sarif = JsonNode.Parse(result.StandardOutput)?.AsObject()
            ?? throw new InvalidDataException($"bicep lint wrote no SARIF. {result}");
        var runs = sarif["runs"]?.AsArray() ?? throw new InvalidDataException($"The SARIF log has no runs. {result}");
        Assert.NotEmpty(runs);
        var diagnostics = runs
            .SelectMany(run => run!["results"]?.AsArray() ?? throw new InvalidDataException($"A SARIF run has no results array. {result}"))
            .Select(diagnostic => $"{diagnostic!["ruleId"]}: {diagnostic["message"]?["text"]} at {diagnostic.At("locations")?.ToJsonString()}")
            .ToList();
        Assert.True(diagnostics.Count == 0, $"{relativePath} has {diagnostics.Count} lint diagnostic(s):{Environment.NewLine}{string.Join(Environment.NewLine, diagnostics)}");
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public void BuildParams_ParametersFile_CompilesWithoutDiagnostics(string relativePath)
    {
        var output = Path.Combine(fixture.TempDirectory, $"{Path.GetFileNameWithoutExtension(relativePath)}.parameters.json");

        var result = BicepCli.Run("build-params", RepositoryPaths.Under(relativePath), "--outfile", output);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(string.IsNullOrWhiteSpace(result.StandardError), $"bicep build-params reported diagnostics. {result}");
        Assert.True(File.Exists(output), $"bicep build-params wrote no {output}. {result}");
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public void SnapshotValidate_CommittedSnapshot_MatchesTemplate(string relativePath)
    {
        var parameters = RepositoryPaths.Under(relativePath);
        var snapshot = Path.ChangeExtension(parameters, ".snapshot.json");
        Assert.True(File.Exists(snapshot), $"{relativePath} has no committed snapshot {Path.GetFileName(snapshot)}; make it with `bicep snapshot {relativePath} {string.Join(' ', BicepCli.SnapshotTarget)}`.");

        var result = BicepCli.Run(["snapshot", parameters, "--mode", "validate", .. BicepCli.SnapshotTarget]);

        Assert.True(result.ExitCode == 0, $"The committed snapshot is out of date; if the change is intended, regenerate it with `bicep snapshot {relativePath} {string.Join(' ', BicepCli.SnapshotTarget)}`. {result}");
    }

    [Fact]
    public void Snapshots_Regenerated_ReportNoDiagnostics()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var diagnostics = snapshot.Root["diagnostics"]?.AsArray() ?? [];
            Assert.True(diagnostics.Count == 0, $"The {snapshot} snapshot has diagnostics: {diagnostics.ToJsonString()}");
        }
    }

    private static TheoryData<string> FilesUnderInfra(string pattern)
    {
        var files = Directory.EnumerateFiles(RepositoryPaths.Infra, pattern, SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        return files.Count > 0
            ? [.. files]
            : throw new InvalidOperationException($"No {pattern} files under {RepositoryPaths.Infra}.");
    }
}

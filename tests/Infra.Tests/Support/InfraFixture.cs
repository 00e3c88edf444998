namespace Tributary.Infra.Tests.Support;

/// <summary>
/// Compiles infra/main.bicep once into a temporary folder and makes fresh snapshots of it there, for every
/// test in the <see cref="InfraCollection"/>. Nothing is written into the repository.
/// </summary>
public sealed class InfraFixture : IDisposable
{
    public InfraFixture()
    {
        TempDirectory = Directory.CreateTempSubdirectory("tributary-infra-").FullName;

        var compiledPath = Path.Combine(TempDirectory, "main.json");
        BuildResult = BicepCli.Run("build", RepositoryPaths.MainBicep, "--outfile", compiledPath);
        if (BuildResult.ExitCode != 0 || !File.Exists(compiledPath))
        {
            throw new InvalidOperationException($"infra/main.bicep does not compile. {BuildResult}");
        }

        Template = ArmTemplate.Load(compiledPath);

        // Snapshots are regenerated from a copy of infra/ so that tests read what the Bicep says now,
        // not what was committed (BicepCliTests checks that the committed snapshots still match).
        var infraCopy = Path.Combine(TempDirectory, "infra");
        CopyDirectory(RepositoryPaths.Infra, infraCopy);
        DefaultSnapshot = MakeSnapshot(infraCopy, "default");
        PostgresSnapshot = MakeSnapshot(infraCopy, "postgres");
        ConnectionsSnapshot = MakeSnapshot(infraCopy, "connections");
    }

    public string TempDirectory { get; }

    internal BicepResult BuildResult { get; }

    internal ArmTemplate Template { get; }

    /// <summary>The default deployment (no PostgreSQL) by a user; see infra/snapshots/default.bicepparam.</summary>
    internal DeploymentSnapshot DefaultSnapshot { get; }

    /// <summary>The deployment with PostgreSQL, by a pipeline principal; see infra/snapshots/postgres.bicepparam.</summary>
    internal DeploymentSnapshot PostgresSnapshot { get; }

    /// <summary>A deployment with connections of its own (two of one connector); see infra/snapshots/connections.bicepparam.</summary>
    internal DeploymentSnapshot ConnectionsSnapshot { get; }

    /// <summary>The two deployments of the default connections.</summary>
    internal IEnumerable<DeploymentSnapshot> Snapshots => [DefaultSnapshot, PostgresSnapshot];

    public void Dispose() => Directory.Delete(TempDirectory, recursive: true);

    private static DeploymentSnapshot MakeSnapshot(string infraCopy, string name)
    {
        var parameters = Path.Combine(infraCopy, "snapshots", $"{name}.bicepparam");
        var result = BicepCli.Run(["snapshot", parameters, "--mode", "overwrite", .. BicepCli.SnapshotTarget]);
        var snapshot = Path.ChangeExtension(parameters, ".snapshot.json");
        if (result.ExitCode != 0 || !File.Exists(snapshot))
        {
            throw new InvalidOperationException($"Could not make the {name} snapshot. {result}");
        }

        return DeploymentSnapshot.Load(name, snapshot);
    }

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            if (!file.EndsWith(".snapshot.json", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
            }
        }
    }
}

/// <summary>The tests that share one compilation of the infrastructure.</summary>
[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>
{
    public const string Name = "Compiled infrastructure";
}

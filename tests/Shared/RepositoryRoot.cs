namespace Tributary.Testing;

/// <summary>The repository root: the folder above the test assembly that holds Tributary.slnx.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tributary.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tributary.slnx above {AppContext.BaseDirectory}: run the tests from a build inside the repository.");
    });

    public static string Location => Root.Value;
}

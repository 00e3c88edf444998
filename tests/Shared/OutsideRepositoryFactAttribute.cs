namespace Tributary.Testing;

/// <summary>
/// A fact that needs files from outside the repository, which only the project's CI places beside it (paths are relative
/// to the repository root, such as <c>../shared/schemas/…</c>). On a plain clone, where one is missing, the test is
/// skipped and the reason names it. Under <c>CI=true</c> it always runs, so a missing file fails it loudly.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class OutsideRepositoryFactAttribute : Xunit.FactAttribute
{
    /// <summary>Skips the fact unless every path exists or <c>CI=true</c>.</summary>
    /// <param name="paths">Files or folders the test reads, relative to the repository root.</param>
    public OutsideRepositoryFactAttribute(params string[] paths) => Skip = OutsideRepositoryFiles.SkipReason(paths);
}

/// <summary>The theory form of <see cref="OutsideRepositoryFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class OutsideRepositoryTheoryAttribute : Xunit.TheoryAttribute
{
    /// <summary>Skips the theory unless every path exists or <c>CI=true</c>.</summary>
    /// <param name="paths">Files or folders the test reads, relative to the repository root.</param>
    public OutsideRepositoryTheoryAttribute(params string[] paths) => Skip = OutsideRepositoryFiles.SkipReason(paths);
}

/// <summary>Decides whether a test that needs files from outside the repository runs.</summary>
public static class OutsideRepositoryFiles
{
    /// <summary>The environment variable CI systems set to <c>true</c>; there such tests always run.</summary>
    public const string CiVariable = "CI";

    /// <summary>Whether this is a CI run (<c>CI=true</c>).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable(CiVariable), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the test is skipped — the paths that are missing — or <see langword="null"/> when it runs.</summary>
    /// <param name="paths">Files or folders relative to the repository root.</param>
    public static string? SkipReason(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (IsCi)
        {
            return null;
        }

        var missing = paths.Where(p => !Path.Exists(Path.GetFullPath(Path.Combine(RepositoryRoot.Location, p)))).ToList();
        return missing.Count == 0
            ? null
            : $"Needs {string.Join(", ", missing)} (relative to the repository), which only the project's CI provides beside the repository; with CI=true it runs and fails without them.";
    }
}

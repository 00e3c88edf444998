using System.Diagnostics;
using System.Reflection;

namespace Tributary.Infra.Tests.Support;

/// <summary>What one run of the bicep CLI returned.</summary>
internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError, string CommandLine)
{
    public override string ToString() =>
        $"`{CommandLine}` exited {ExitCode}.{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}";
}

/// <summary>
/// Runs the bicep binary from the Azure.Bicep.CommandLine NuGet package. Its path comes from the package's
/// $(BicepPath) property, which the project file stores in an assembly attribute at build time.
/// </summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly Lazy<string> ExecutablePath = new(FindExecutable);

    /// <summary>The options every snapshot is made and validated with (a fixed, fictitious deployment target).</summary>
    public static readonly string[] SnapshotTarget =
    [
        "--subscription-id", "00000000-0000-0000-0000-000000000000",
        "--tenant-id", "00000000-0000-0000-0000-000000000000",
        "--location", "westeurope",
        "--deployment-name", "tributary",
    ];

    public static string Path => ExecutablePath.Value;

    public static BicepResult Run(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // No colour codes in captured output.
        startInfo.Environment["NO_COLOR"] = "1";

        var commandLine = $"bicep {string.Join(' ', arguments)}";
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {commandLine}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{commandLine} did not finish within {Timeout}.");
        }

        return new BicepResult(process.ExitCode, standardOutput.Result, standardError.Result, commandLine);
    }

    private static string FindExecutable()
    {
        var configured = typeof(BicepCli).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == "BicepPath")?.Value;
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                "The test assembly has no BicepPath metadata: the Azure.Bicep.CommandLine package did not set $(BicepPath) at build time.");
        }

        // The package's props join the folder and the name with a backslash.
        var path = System.IO.Path.GetFullPath(configured.Replace('\\', System.IO.Path.DirectorySeparatorChar));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The bicep binary is missing at {path}; restore the test project (dotnet restore) to bring the Azure.Bicep.CommandLine package.", path);
        }

        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }
}

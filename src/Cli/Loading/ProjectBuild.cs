using System.ComponentModel;
using System.Diagnostics;

namespace Tributary.Cli.Loading;

/// <summary><c>--project</c>: builds a connector project with <c>dotnet build -c Debug</c> and finds the assembly it produced.</summary>
internal static class ProjectBuild
{
    /// <summary>
    /// Builds the project at <paramref name="path"/> (a project file, or a folder holding exactly one *.csproj) and returns its
    /// output assembly. The build's messages are written to <paramref name="error"/> only when it fails.
    /// </summary>
    /// <exception cref="CliException">No single project there, dotnet could not start, or the build failed.</exception>
    public static async Task<string> BuildAsync(string path, TextWriter error, CancellationToken cancellationToken)
    {
        var project = Find(path);
        var start = new ProcessStartInfo(DotnetHost())
        {
            // The project's folder, so its global.json picks the SDK. A class library leaves its packages in the NuGet cache unless
            // told to copy them to its output folder, where the load context finds them. -getProperty prints the output path after the build.
            WorkingDirectory = Path.GetDirectoryName(project)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", project, "-c", "Debug", "-nologo", "-p:CopyLocalLockFileAssemblies=true", "-t:Build", "-getProperty:TargetPath" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new CliException($"--project needs the .NET SDK to build {project}, and '{start.FileName}' could not be started: {ex.Message}", ex);
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var messages = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var target = (await output).Trim();
        if (process.ExitCode != 0)
        {
            var text = await messages;
            await error.WriteAsync(text.Length > 0 ? text : target);   // MSBuild writes errors to standard error; if none came, show what did
            throw new CliException($"Building {project} failed (dotnet build exited with {process.ExitCode}); its errors are above.");
        }

        if (target.Length == 0 || !File.Exists(target))
        {
            throw new CliException(target.Length == 0
                ? $"{project} names no single output assembly (does it target several frameworks?): build it and give the .dll with --assembly."
                : $"Building {project} succeeded but left no {target}.");
        }

        return target;
    }

    /// <summary>The project file: <paramref name="path"/> itself, or the one *.csproj in that folder.</summary>
    /// <exception cref="CliException">The path does not exist, or the folder holds no or several projects.</exception>
    public static string Find(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return full;
        }

        if (!Directory.Exists(full))
        {
            throw new CliException($"--project '{full}' does not exist: give a connector's .csproj, or the folder that holds it.");
        }

        var projects = Directory.GetFiles(full, "*.csproj");
        return projects.Length switch
        {
            1 => projects[0],
            0 => throw new CliException($"--project '{full}' holds no *.csproj: give a connector's .csproj, or the folder that holds it."),
            _ => throw new CliException(
                $"--project '{full}' holds {projects.Length} projects ({string.Join(", ", projects.Select(Path.GetFileName).Order(StringComparer.Ordinal))}): give the one to build."),
        };
    }

    /// <summary>The dotnet that runs this process when it was started by one (DOTNET_HOST_PATH), else dotnet on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}

using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Tributary.Templates.Tests;

/// <summary>Runs the <c>dotnet</c> command these tests drive: the host that runs them (<c>DOTNET_HOST_PATH</c>) or the one on
/// <c>PATH</c>. A missing one fails the test; it never skips it.</summary>
internal static class Dotnet
{
    private static readonly Lazy<string> Host = new(FindHost);

    /// <summary>The variables the outer build and test run set for their own children; a nested build must find its own.</summary>
    private static readonly string[] InheritedPrefixes = ["MSBUILD", "VSTEST", "TESTINGPLATFORM", "DOTNET_HOST_PATH"];

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> and returns its exit code and output (stdout and stderr).</summary>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="environment">Variables to set, or to remove (a null value).</param>
    /// <param name="timeout">How long it may take; it is killed after.</param>
    /// <param name="arguments">The arguments.</param>
    public static async Task<CommandResult> RunAsync(
        string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Host.Value)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => InheritedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(name);
        }

        // No build node or build server outlives the command.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"`dotnet {string.Join(' ', arguments)}` took longer than {timeout}:{Environment.NewLine}{Tail(output)}");
        }

        return new CommandResult(string.Join(' ', arguments), process.ExitCode, Locked(output));
    }

    private static string FindHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw new Win32Exception(
            $"The dotnet command was not found (neither DOTNET_HOST_PATH nor PATH has it): these tests pack, install and build with it.");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Locked(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    internal static string Tail(StringBuilder output) => Tail(Locked(output));

    /// <summary>The last lines of a command's output, enough to see why it failed.</summary>
    internal static string Tail(string output, int lines = 60) =>
        string.Join(Environment.NewLine, output.Split('\n').TakeLast(lines));
}

/// <summary>A finished command.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Output)
{
    /// <summary>Throws, with the end of the output, unless the command exited 0.</summary>
    public CommandResult EnsureSuccess() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"`dotnet {Command}` exited {ExitCode}:{Environment.NewLine}{Dotnet.Tail(Output)}");
}

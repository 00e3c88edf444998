using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tributary.Testing;

/// <summary>
/// A server from the repository's <c>node_modules/.bin</c> (Azurite, dynalite, s3rver), on ports chosen free at run time
/// and in a working folder of its own, stopped and deleted on dispose. A tool that is not installed fails loudly, naming the
/// command that installs it: tests that need one never skip.
/// </summary>
public sealed class NpmServer : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string _workDirectory;
    private Process? _process;

    private NpmServer(string workDirectory, int[] ports)
    {
        _workDirectory = workDirectory;
        Ports = ports;
    }

    /// <summary>The ports the server listens on, in the order the arguments were built with.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>The server's working folder (its data, when it keeps any on disk).</summary>
    public string WorkDirectory => _workDirectory;

    /// <summary>
    /// Starts <paramref name="tool"/> with the arguments <paramref name="arguments"/> builds from <paramref name="portCount"/>
    /// free ports and the working folder, and returns once every port accepts connections. A port taken between choosing
    /// and binding is tried again on new ports, up to three times.
    /// </summary>
    public static async Task<NpmServer> StartAsync(
        string tool, int portCount, Func<IReadOnlyList<int>, string, IEnumerable<string>> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(RepositoryRoot.Location, "node_modules", ".bin", tool);
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"{tool} is not installed at {executable}. Run `npm ci` in {RepositoryRoot.Location} (package.json pins it); these tests never skip.");
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var ports = Enumerable.Range(0, portCount).Select(_ => FreePort.Next()).ToArray();
            var server = new NpmServer(Directory.CreateTempSubdirectory($"tributary-{tool}-").FullName, ports);
            try
            {
                await server.RunAsync(executable, arguments(ports, server._workDirectory), cancellationToken);
                return server;
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
                await server.DisposeAsync();
            }
        }

        throw new InvalidOperationException($"{tool} did not start.", last);
    }

    private async Task RunAsync(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = _workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        foreach (var port in Ports)
        {
            while (!await AcceptsAsync(port, timeout.Token))
            {
                if (_process.HasExited || timeout.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"{Path.GetFileName(executable)} did not listen on port {port}: {Output()}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.Length == 0 ? "(no output)" : _output.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync(CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Tributary.Azure.Queue;
using Xunit;

namespace Tributary.Testing;

/// <summary>
/// A real Azurite (Blob and Queue, in memory) from the repository's <c>node_modules</c>, on ports chosen free at run time,
/// started once for the test collection and stopped at its end. Missing Azurite fails every test that needs it, loudly:
/// run <c>npm ci</c> at the repository root.
/// </summary>
public sealed class AzuriteFixture : IAsyncDisposable, IAsyncLifetime
{
    /// <summary>Azurite's well-known development account: its name and key are public, in every Azure Storage document.</summary>
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _workDirectory;

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    /// <summary>The connection string of the emulator's account, with this run's ports.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};";

    public BlobServiceClient CreateBlobServiceClient() => new(ConnectionString);

    public QueueClient CreateQueueClient(string name) => new(ConnectionString, name, RunQueue.CreateClientOptions());

    public async Task InitializeAsync()
    {
        var executable = System.IO.Path.Combine(RepositoryRoot.Location, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {executable}. Run `npm ci` in {RepositoryRoot.Location} (package.json pins azurite 3.37.0); these tests never skip.");
        }

        _workDirectory = Directory.CreateTempSubdirectory("tributary-azurite-").FullName;
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // A port chosen free can be taken before Azurite binds it; a failed start is tried again on new ports.
            BlobPort = FreePort.Next();
            QueuePort = FreePort.Next();
            var tablePort = FreePort.Next();
            try
            {
                await StartAsync(executable, tablePort);
                return;
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
                await StopAsync();
            }
        }

        throw new InvalidOperationException("Azurite did not start.", last);
    }

    private async Task StartAsync(string executable, int tablePort)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = _workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "--blobHost", "127.0.0.1", "--blobPort", $"{BlobPort}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{QueuePort}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{tablePort}",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--disableTelemetry",
        ])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var port in (int[])[BlobPort, QueuePort])
        {
            while (!await AcceptsAsync(port, timeout.Token))
            {
                if (_process.HasExited || timeout.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"Azurite did not listen on port {port}: {Output()}");
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

    private async Task StopAsync()
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
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_workDirectory is not null)
        {
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
}

using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Tributary.Azure.Queue;
using Xunit;

namespace Tributary.Testing;

/// <summary>
/// A real Azurite (Blob, Queue and Table, in memory) from the repository's <c>node_modules</c>, on ports chosen free at run
/// time, started once for the test collection and stopped at its end. Missing Azurite fails every test that needs it,
/// loudly: run <c>npm ci</c> at the repository root.
/// </summary>
public sealed class AzuriteFixture : IAsyncDisposable, IAsyncLifetime
{
    /// <summary>Azurite's well-known development account: its name and key are public, in every Azure Storage document.</summary>
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private NpmServer? _server;

    private NpmServer Server => _server ?? throw new InvalidOperationException("Azurite has not started.");

    public int BlobPort => Server.Ports[0];

    public int QueuePort => Server.Ports[1];

    public int TablePort => Server.Ports[2];

    /// <summary>The connection string of the emulator's account (Blob, Queue and Table), with this run's ports.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public BlobServiceClient CreateBlobServiceClient() => new(ConnectionString);

    public QueueClient CreateQueueClient(string name) => new(ConnectionString, name, RunQueue.CreateClientOptions());

    public async Task InitializeAsync() =>
        _server = await NpmServer.StartAsync("azurite", portCount: 3, (ports, _) =>
        [
            "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--disableTelemetry",
        ], CancellationToken.None);

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

using Xunit;

namespace Tributary.Testing;

/// <summary>
/// A real DynamoDB-API server (<c>dynalite</c>, in memory) from the repository's <c>node_modules</c>, on a port chosen free at
/// run time, started once for the test collection. It checks the shape of every signed request but accepts any key pair.
/// </summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    private NpmServer? _server;

    /// <summary>The endpoint to give the AWS SDK as its service URL.</summary>
    public Uri ServiceUrl => new($"http://127.0.0.1:{(_server ?? throw new InvalidOperationException("dynalite has not started.")).Ports[0]}");

    public async Task InitializeAsync() =>
        _server = await NpmServer.StartAsync("dynalite", portCount: 1, (ports, _) =>
            ["--host", "127.0.0.1", "--port", $"{ports[0]}", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
            CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

using Xunit;

namespace Tributary.Testing;

/// <summary>
/// A real S3-API server (<c>s3rver</c>, objects kept in its own temporary folder) from the repository's <c>node_modules</c>,
/// on a port chosen free at run time, started once for the test collection. Use path-style addressing.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private NpmServer? _server;

    /// <summary>The endpoint to give the AWS SDK as its service URL (with <c>ForcePathStyle</c>).</summary>
    public Uri ServiceUrl => new($"http://127.0.0.1:{(_server ?? throw new InvalidOperationException("s3rver has not started.")).Ports[0]}");

    /// <summary>s3rver's fixed credentials: <c>S3RVER</c> / <c>S3RVER</c>, public in its documentation.</summary>
    public const string AccessKey = "S3RVER";

    /// <inheritdoc cref="AccessKey"/>
    public const string SecretKey = "S3RVER";

    public async Task InitializeAsync() =>
        _server = await NpmServer.StartAsync("s3rver", portCount: 1, (ports, directory) =>
            ["--address", "127.0.0.1", "--port", $"{ports[0]}", "--directory", Path.Combine(directory, "data"), "--silent"],
            CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

using Tributary.Runtime;

namespace Tributary.Azure.Queue;

/// <summary>Makes what one run of a connection needs; the host implements it from its settings.</summary>
public interface IConnectorRunFactory
{
    /// <summary>A fresh connector with its configuration, and a runner bound to the connector's destination.</summary>
    /// <param name="connection">The connection's id.</param>
    /// <param name="cancellationToken">Cancels the preparation.</param>
    /// <exception cref="KeyNotFoundException">No connection has that id (a configuration error: the run fails once, not retried).</exception>
    /// <exception cref="Sdk.ConfigurationException">A setting is missing or unusable (the run fails once, not retried).</exception>
    ValueTask<ConnectorRun> CreateAsync(string connection, CancellationToken cancellationToken);
}

/// <summary>One prepared run: the runner, the request, and what to dispose after it (the destination).</summary>
/// <param name="runner">The runner, bound to the connector's destination and the shared state store.</param>
/// <param name="request">The request with a fresh connector and its configuration; the processor sets trigger, sync id and budget.</param>
/// <param name="resources">Disposed when the run ends; <see langword="null"/> when there is nothing to dispose.</param>
public sealed class ConnectorRun(SyncRunner runner, SyncRequest request, IAsyncDisposable? resources = null) : IAsyncDisposable
{
    /// <summary>The runner.</summary>
    public SyncRunner Runner { get; } = runner ?? throw new ArgumentNullException(nameof(runner));

    /// <summary>The request.</summary>
    public SyncRequest Request { get; } = request ?? throw new ArgumentNullException(nameof(request));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => resources?.DisposeAsync() ?? ValueTask.CompletedTask;
}

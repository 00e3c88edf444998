using Microsoft.Extensions.Logging;
using Tributary.Azure.Queue;
using Tributary.Runtime;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>Prepares a run from the connector's settings: a fresh connector, its configuration and destination, a runner.</summary>
internal sealed class HostRunFactory(
    ConnectorDirectory connectors,
    DestinationFactory destinations,
    IStateStore store,
    ISecretStore secrets,
    SyncRunnerOptions runnerOptions,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    IHttpClientFactory httpClientFactory) : IConnectorRunFactory
{
    public ValueTask<ConnectorRun> CreateAsync(string connector, CancellationToken cancellationToken)
    {
        var settings = connectors.Get(connector);
        var destination = destinations.Create(connector, settings.Destination);
        var runner = new SyncRunner(destination, store, runnerOptions, secrets, time, loggerFactory, httpClientFactory);
        var request = new SyncRequest(connector, connectors.Create(connector), new ConnectorConfiguration(settings.Configuration));
        return ValueTask.FromResult(new ConnectorRun(runner, request, destination));
    }
}

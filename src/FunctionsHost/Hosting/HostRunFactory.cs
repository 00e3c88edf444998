using Microsoft.Extensions.Logging;
using Tributary.Azure.Queue;
using Tributary.Runtime;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>Prepares a run from the connection's settings: a fresh connector, its configuration, destination and schema, a runner.</summary>
internal sealed class HostRunFactory(
    ConnectionDirectory connections,
    DestinationFactory destinations,
    IStateStore store,
    ISecretStore secrets,
    SyncRunnerOptions runnerOptions,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    IHttpClientFactory httpClientFactory) : IConnectorRunFactory
{
    public ValueTask<ConnectorRun> CreateAsync(string connection, CancellationToken cancellationToken)
    {
        var settings = connections.Get(connection);
        var destination = destinations.Create(connection, settings.Destination);
        var runner = new SyncRunner(destination, store, runnerOptions, secrets, time, loggerFactory, httpClientFactory);
        var request = new SyncRequest(connection, connections.CreateConnector(connection), new ConnectorConfiguration(settings.Configuration))
        {
            Schema = settings.Schema,
        };
        return ValueTask.FromResult(new ConnectorRun(runner, request, destination));
    }
}

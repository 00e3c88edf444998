using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Functions;

/// <summary>The connectors' HTTP API, guarded by function keys.</summary>
/// <param name="api">Does the work.</param>
public sealed class ConnectorFunctions(ConnectorApi api)
{
    /// <summary><c>GET /api/connectors</c>: the list.</summary>
    [Function("ListConnectors")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "connectors")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.ListAsync(cancellationToken);

    /// <summary><c>GET /api/connectors/{name}</c>: status JSON.</summary>
    [Function("GetConnector")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "connectors/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        api.StatusAsync(request, name, cancellationToken);

    /// <summary><c>POST /api/connectors/{name}/sync</c>: 202 with a status URL; the run happens behind the queue.</summary>
    [Function("StartSync")]
    public Task<IActionResult> Sync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "connectors/{name}/sync")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        api.StartSyncAsync(request, name, cancellationToken);
}

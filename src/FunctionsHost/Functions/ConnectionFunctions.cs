using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Functions;

/// <summary>The connections' HTTP API, and the connector types, guarded by function keys.</summary>
/// <param name="api">Does the work.</param>
public sealed class ConnectionFunctions(ConnectionApi api)
{
    /// <summary><c>GET /api/connections</c>: every connection.</summary>
    [Function("ListConnections")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "connections")] HttpRequest request,
        CancellationToken cancellationToken) =>
        api.ListAsync(cancellationToken);

    /// <summary><c>GET /api/connections/{id}</c>: status JSON.</summary>
    [Function("GetConnection")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "connections/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        api.StatusAsync(request, id, cancellationToken);

    /// <summary><c>POST /api/connections/{id}/sync</c>: 202 with a status URL; the run happens behind the queue.</summary>
    [Function("StartSync")]
    public Task<IActionResult> Sync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "connections/{id}/sync")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        api.StartSyncAsync(request, id, cancellationToken);

    /// <summary><c>GET /api/connectors</c>: the connector types and the connections of each.</summary>
    [Function("ListConnectors")]
    public Task<IActionResult> Connectors(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "connectors")] HttpRequest request,
        CancellationToken cancellationToken) =>
        Task.FromResult(api.ListConnectors());
}

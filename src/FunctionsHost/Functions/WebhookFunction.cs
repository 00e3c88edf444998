using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Functions;

/// <summary><c>POST /api/connectors/{name}/webhook</c>: no function key — the HMAC signature of the body guards it.</summary>
/// <param name="receiver">Verifies and hands on the delivery.</param>
public sealed class WebhookFunction(WebhookReceiver receiver)
{
    /// <summary>Verifies the delivery and hands it to the connector; 202 when accepted.</summary>
    [Function("Webhook")]
    public Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connectors/{name}/webhook")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        receiver.ReceiveAsync(request, name, cancellationToken);
}

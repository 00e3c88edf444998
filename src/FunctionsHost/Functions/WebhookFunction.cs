using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Functions;

/// <summary><c>POST /api/connectors/{name}/webhook</c>: no function key — its Standard Webhooks signature, timestamp window and
/// id de-duplication guard it (see <see cref="WebhookReceiver"/>).</summary>
/// <param name="receiver">Verifies the delivery and runs the connector's webhook handler on it.</param>
public sealed class WebhookFunction(WebhookReceiver receiver)
{
    /// <summary>Verifies the delivery and runs the connector's handler inline; 202 when handled, 503 with <c>Retry-After</c> while
    /// the connector is running.</summary>
    [Function("Webhook")]
    public Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connectors/{name}/webhook")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        receiver.ReceiveAsync(request, name, cancellationToken);
}

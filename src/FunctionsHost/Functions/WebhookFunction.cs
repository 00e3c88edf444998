using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Functions;

/// <summary><c>POST /api/connections/{id}/webhook</c>: no function key — its Standard Webhooks signature, timestamp window and
/// id de-duplication guard it (see <see cref="WebhookReceiver"/>).</summary>
/// <param name="receiver">Verifies the delivery and runs the connector's webhook handler on it.</param>
public sealed class WebhookFunction(WebhookReceiver receiver)
{
    /// <summary>Verifies the delivery and runs the connection's connector handler inline; 202 when handled, 503 with <c>Retry-After</c> while
    /// the connection is running.</summary>
    [Function("Webhook")]
    public Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connections/{id}/webhook")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        receiver.ReceiveAsync(request, id, cancellationToken);
}

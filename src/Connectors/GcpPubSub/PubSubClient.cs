using System.Text;
using System.Text.Json.Nodes;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.GcpPubSub;

/// <summary>A message as pulled: its ack id (this delivery's), its id, its payload and when it was published.</summary>
internal sealed record PulledMessage(string AckId, string MessageId, string Data, string? PublishTime);

/// <summary>
/// One subscription through Pub/Sub's REST API (<c>v1/projects/*/subscriptions/*:pull</c> and <c>:acknowledge</c>) with a
/// service account's bearer token, over the HTTP toolkit (retries, limits, a renewed token after a 401).
/// </summary>
internal sealed class PubSubClient : IDisposable
{
    private readonly RestClient _http;
    private readonly string _subscription;

    public PubSubClient(SyncContext context, Uri endpoint, ServiceAccountToken token, string subscription)
    {
        _subscription = $"v1/projects/{token.ProjectId}/subscriptions/{subscription}";
        _http = new RestClient(context, new RestClientOptions
        {
            BaseAddress = endpoint,
            Authenticator = new SessionTokenAuthenticator((_, cancellationToken) => token.GetAsync(cancellationToken)),
            TimeProvider = context.TimeProvider,
            // pull hands out messages once per ack deadline, acknowledge is idempotent: both are safe to send again.
            RetryUnsafeMethods = true,
        });
    }

    /// <summary>Up to <paramref name="maxMessages"/> messages; none when the subscription has nothing to deliver now.</summary>
    public async Task<IReadOnlyList<PulledMessage>> PullAsync(int maxMessages, CancellationToken cancellationToken)
    {
        var answer = await _http.GetJsonAsync(
            new RestRequest(_subscription + ":pull") { Method = HttpMethod.Post, JsonBody = new JsonObject { ["maxMessages"] = maxMessages } },
            cancellationToken);
        return [.. (answer?["receivedMessages"] as JsonArray ?? []).Select(received => Read(received!))];
    }

    /// <summary>Acknowledges deliveries: Pub/Sub stops redelivering their messages.</summary>
    public async Task AcknowledgeAsync(IReadOnlyList<string> ackIds, CancellationToken cancellationToken)
    {
        if (ackIds.Count == 0)
        {
            return;
        }

        using var response = await _http.SendAsync(
            new RestRequest(_subscription + ":acknowledge") { Method = HttpMethod.Post, JsonBody = new JsonObject { ["ackIds"] = new JsonArray([.. ackIds.Select(id => (JsonNode)id)]) } },
            cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private PulledMessage Read(JsonNode received)
    {
        var message = received["message"];
        var ackId = received["ackId"]?.GetValue<string>();
        var messageId = message?["messageId"]?.GetValue<string>();
        if (ackId is null || messageId is null)
        {
            throw new RestException($"POST {_http.BaseAddress}{_subscription}:pull answered with a received message without ackId or message.messageId.");
        }

        var data = message?["data"]?.GetValue<string>() is { } base64 ? Encoding.UTF8.GetString(Convert.FromBase64String(base64)) : string.Empty;
        return new PulledMessage(ackId, messageId, data, message?["publishTime"]?.GetValue<string>());
    }
}

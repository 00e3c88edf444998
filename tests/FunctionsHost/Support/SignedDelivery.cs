using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Tests.Support;

/// <summary>Webhook requests as a Standard Webhooks sender makes them.</summary>
internal static class SignedDelivery
{
    /// <summary>A POST of <paramref name="body"/> with <c>webhook-id</c>, <c>webhook-timestamp</c> and a <c>v1</c> signature
    /// under <paramref name="secret"/>; the timestamp is <paramref name="sentAt"/>.</summary>
    public static HttpRequestMessage Create(string path, byte[] body, string secret, string id, DateTimeOffset sentAt)
    {
        var timestamp = sentAt.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(WebhookSignatures.IdHeader, id);
        request.Headers.Add(WebhookSignatures.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignatures.SignatureHeader, WebhookSignatures.SignStandard(id, timestamp, body, secret));
        return request;
    }

    /// <summary>A fresh delivery id.</summary>
    public static string NewId() => "msg_" + Guid.NewGuid().ToString("N");
}

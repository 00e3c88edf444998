using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tributary.Azure.Secrets;
using Tributary.Azure.Webhooks;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime;

namespace Tributary.FunctionsHost.Api;

/// <summary>What the host does with a verified delivery.</summary>
public interface IWebhookHandler
{
    /// <summary>Hands the delivery to <paramref name="connector"/> and returns the HTTP answer (202 on success).</summary>
    /// <param name="request">The request, for the status URLs of the answer.</param>
    /// <param name="connector">The connector the delivery is for.</param>
    /// <param name="delivery">The verified delivery.</param>
    /// <param name="cancellationToken">Cancelled when the sender gives up.</param>
    Task<IActionResult> HandleAsync(HttpRequest request, string connector, WebhookDelivery delivery, CancellationToken cancellationToken);
}

/// <summary>
/// <c>POST /api/connections/{id}/webhook</c>, guarded by its signature instead of a function key. A delivery is signed the
/// Standard Webhooks way (<see cref="WebhookSignatures"/>) with the connection's secret <c>webhook_secret</c> (Key Vault:
/// <c>&lt;connection id&gt;--webhook-secret</c>); its timestamp must lie within <see cref="WebhookSettings.Tolerance"/> of the
/// host's clock, and its id must not have been received before within that window. Only connections listed in
/// <see cref="WebhookSettings.BodyOnlySignatures"/> may instead sign the body alone.
/// Answers, with nothing handed on: 404 for an unknown connection; 413 for a body over the limit; 401 for missing, malformed
/// or wrong signature headers, or a timestamp outside the window; 409 for an id received before; 500 when the connection has
/// no usable webhook secret; 503 when the secret store cannot be read. Everything that can be checked without the secret is
/// checked first, and the secret is read through a short-lived cache, so forged deliveries do not each cost a Key Vault read.
/// A verified delivery goes to the <see cref="IWebhookHandler"/> with its body, content type and headers, less the signatures
/// and credentials. When the handler does not answer 2xx, the id is released, so the sender's retry of it is handled.
/// </summary>
public sealed partial class WebhookReceiver(
    ConnectionDirectory connections,
    WebhookSecrets secrets,
    WebhookDeliveryLog deliveries,
    IWebhookHandler handler,
    IOptions<TributaryHostOptions> options,
    TimeProvider time,
    ILogger<WebhookReceiver> logger)
{
    /// <summary>The connector secret that keys the signature.</summary>
    public const string SecretName = "webhook_secret";

    /// <summary>Headers never handed to a connector.</summary>
    private static readonly HashSet<string> HiddenHeaders = new(
        [WebhookSignatures.SignatureHeader, WebhookSignatures.BodyOnlyHeader, "Authorization", "Proxy-Authorization", "Cookie", "x-functions-key"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Checks and hands on one delivery; see the class summary for the answers.</summary>
    public async Task<IActionResult> ReceiveAsync(HttpRequest request, string name, CancellationToken cancellationToken)
    {
        if (!connections.Contains(name))
        {
            return Problems.UnknownConnection(name, connections.Ids);
        }

        var settings = options.Value.Webhooks;
        var headers = SignedHeaders.From(request);
        var bodyOnly = !headers.IsStandard && settings.AcceptsBodyOnly(name);
        if ((bodyOnly ? CheckBodyOnly(headers) : CheckStandard(headers, settings.Tolerance)) is { } refusal)
        {
            LogRejected(logger, name, refusal);
            return Unauthorized(refusal);
        }

        var limit = settings.MaxBodyBytes;
        var body = request.ContentLength > limit ? null : await BodyReader.ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            LogRejected(logger, name, "body too large");
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A webhook body is at most {limit} bytes.");
        }

        byte[]? key;
        try
        {
            key = await secrets.GetKeyAsync(name, cancellationToken);
        }
        catch (SecretStoreUnavailableException ex)
        {
            LogSecretUnavailable(logger, name, ex.Message);
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Secret store unavailable", "The webhook secret could not be read; try again later.");
        }

        if (key is null)
        {
            LogSecretMissing(logger, name, SecretName);
            return Problems.Create(
                StatusCodes.Status500InternalServerError,
                "Webhook not configured",
                $"Connection '{name}' has no usable webhook secret (a missing one, or 'whsec_' followed by something other than base64), so no delivery can be verified.");
        }

        var verified = bodyOnly
            ? WebhookSignatures.VerifyBodyOnly(body, headers.BodyOnly!, key)
            : WebhookSignatures.VerifyStandard(headers.Id!, headers.Timestamp!, body, headers.Signature!, key);
        if (!verified)
        {
            LogRejected(logger, name, "wrong signature");
            return Unauthorized(bodyOnly ? "The signature does not match the body." : "No v1 signature in the webhook-signature header matches the id, timestamp and body.");
        }

        var delivery = new WebhookDelivery(body, request.ContentType, Headers(request));
        if (bodyOnly)
        {
            return await handler.HandleAsync(request, name, delivery, cancellationToken);
        }

        return await HandleOnceAsync(request, name, headers, delivery, settings.Tolerance, cancellationToken);
    }

    /// <summary>The headers a connector may read: all but the signatures and credentials; several values joined by commas.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> Headers(HttpRequest request) =>
        request.Headers
            .Where(static header => !HiddenHeaders.Contains(header.Key))
            .Select(static header => KeyValuePair.Create(header.Key, header.Value.ToString()));

    // Claims the id until its timestamp leaves the window (after that the signed request is refused as too old), hands the
    // delivery on, and releases the id again when the handler did not take it, so that the sender's retry is handled.
    private async Task<IActionResult> HandleOnceAsync(
        HttpRequest request, string name, SignedHeaders headers, WebhookDelivery delivery, TimeSpan tolerance, CancellationToken cancellationToken)
    {
        var expiresAt = WebhookSignatures.ParseTimestamp(headers.Timestamp!)!.Value + tolerance;
        var claim = await deliveries.TryClaimAsync(name, headers.Id!, expiresAt, cancellationToken);
        if (claim is null)
        {
            LogReplay(logger, name, headers.Id!);
            return Problems.Create(
                StatusCodes.Status409Conflict,
                "Delivery already received",
                $"Webhook '{headers.Id}' of connection '{name}' was received before; a delivery is handled once.");
        }

        IActionResult result;
        try
        {
            result = await handler.HandleAsync(request, name, delivery, cancellationToken);
        }
        catch
        {
            await claim.ReleaseAsync(CancellationToken.None);
            throw;
        }

        if (result is not IStatusCodeActionResult { StatusCode: >= 200 and < 300 })
        {
            await claim.ReleaseAsync(CancellationToken.None);
        }

        return result;
    }

    // The checks that need no secret: every header present and well formed, the timestamp within the window.
    private string? CheckStandard(SignedHeaders headers, TimeSpan tolerance)
    {
        if (headers.Id is null || headers.Timestamp is null || headers.Signature is null)
        {
            var missing = string.Join(", ", new[] { (headers.Id, WebhookSignatures.IdHeader), (headers.Timestamp, WebhookSignatures.TimestampHeader), (headers.Signature, WebhookSignatures.SignatureHeader) }
                .Where(static header => header.Item1 is null)
                .Select(static header => header.Item2));
            return headers.BodyOnly is null
                ? $"The request lacks the Standard Webhooks headers {missing}."
                : $"The request lacks the Standard Webhooks headers {missing}; this connector does not accept body-only signatures ({WebhookSignatures.BodyOnlyHeader}).";
        }

        if (WebhookSignatures.CheckId(headers.Id) is { } badId)
        {
            return badId;
        }

        if (WebhookSignatures.ParseTimestamp(headers.Timestamp) is not { } sentAt)
        {
            return $"The {WebhookSignatures.TimestampHeader} header must be a whole number of seconds since 1970-01-01T00:00:00Z.";
        }

        var skew = time.GetUtcNow() - sentAt;
        if (skew.Duration() > tolerance)
        {
            return $"The {WebhookSignatures.TimestampHeader} is {Problems.Seconds(skew.Duration())} seconds {(skew > TimeSpan.Zero ? "old" : "ahead of the receiver's clock")}; " +
                $"at most {Problems.Seconds(tolerance)} are allowed.";
        }

        return WebhookSignatures.HasStandardSignature(headers.Signature) ? null : $"The {WebhookSignatures.SignatureHeader} header holds no v1 signature.";
    }

    private static string? CheckBodyOnly(SignedHeaders headers) =>
        string.IsNullOrEmpty(headers.BodyOnly) ? $"The request has neither Standard Webhooks headers nor an {WebhookSignatures.BodyOnlyHeader} header." : null;

    private static ObjectResult Unauthorized(string detail) => Problems.Create(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    /// <summary>The signature headers of a request; each <see langword="null"/> when absent or empty.</summary>
    private sealed record SignedHeaders(string? Id, string? Timestamp, string? Signature, string? BodyOnly)
    {
        /// <summary>Whether the sender used Standard Webhooks (any of its headers present).</summary>
        public bool IsStandard => Id is not null || Timestamp is not null || Signature is not null;

        public static SignedHeaders From(HttpRequest request) => new(
            Value(request, WebhookSignatures.IdHeader),
            Value(request, WebhookSignatures.TimestampHeader),
            Value(request, WebhookSignatures.SignatureHeader),
            Value(request, WebhookSignatures.BodyOnlyHeader));

        private static string? Value(HttpRequest request, string header) =>
            request.Headers[header].ToString() is { Length: > 0 } value ? value : null;
    }

    [LoggerMessage(3100, LogLevel.Warning, "Webhook for {Connector} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string connector, string reason);

    [LoggerMessage(3101, LogLevel.Error, "Webhook for {Connector} cannot be verified: it has no usable secret {SecretName}")]
    private static partial void LogSecretMissing(ILogger logger, string connector, string secretName);

    [LoggerMessage(3102, LogLevel.Error, "Webhook for {Connector} cannot be verified: {Error}")]
    private static partial void LogSecretUnavailable(ILogger logger, string connector, string error);

    [LoggerMessage(3103, LogLevel.Warning, "Webhook {WebhookId} for {Connector} refused: that id was received before")]
    private static partial void LogReplay(ILogger logger, string connector, string webhookId);
}

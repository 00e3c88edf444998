using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tributary.Azure.Secrets;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime;
using Tributary.Runtime.Secrets;

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
/// <c>POST /api/connections/{id}/webhook</c>, guarded by its signature instead of a function key: the header
/// <c>X-Tributary-Signature: sha256=&lt;hex&gt;</c> must hold the HMAC-SHA256 of the raw body keyed with the connection's secret
/// <c>webhook_secret</c> (Key Vault: <c>&lt;connection id&gt;--webhook-secret</c>), compared in constant time. Answers 404 for an
/// unknown connection, 401 for a missing or wrong signature, 413 for a body over the limit, 500 when the connector has no
/// webhook secret, 503 when the secret store cannot be read; nothing is handed on in any of those cases. A verified delivery
/// goes to the <see cref="IWebhookHandler"/> with its body, content type and headers, less the signature and credentials.
/// </summary>
public sealed partial class WebhookReceiver(
    ConnectionDirectory connections,
    ISecretStore secrets,
    IWebhookHandler handler,
    IOptions<TributaryHostOptions> options,
    ILogger<WebhookReceiver> logger)
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Tributary-Signature";

    /// <summary>The connector secret that keys the signature.</summary>
    public const string SecretName = "webhook_secret";

    private const string Scheme = "sha256=";

    /// <summary>Headers never handed to a connector.</summary>
    private static readonly HashSet<string> HiddenHeaders = new(
        [SignatureHeader, "Authorization", "Proxy-Authorization", "Cookie", "x-functions-key"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Checks and hands on one delivery; see the class summary for the answers.</summary>
    public async Task<IActionResult> ReceiveAsync(HttpRequest request, string name, CancellationToken cancellationToken)
    {
        if (!connections.Contains(name))
        {
            return Problems.UnknownConnection(name, connections.Ids);
        }

        var signature = request.Headers[SignatureHeader].ToString();
        if (string.IsNullOrEmpty(signature))
        {
            LogRejected(logger, name, "no signature");
            return Unauthorized($"The request has no {SignatureHeader} header.");
        }

        var limit = options.Value.Webhooks.MaxBodyBytes;
        var body = request.ContentLength > limit ? null : await BodyReader.ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            LogRejected(logger, name, "body too large");
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A webhook body is at most {limit} bytes.");
        }

        string? secret;
        try
        {
            secret = await secrets.GetAsync(name, SecretName, cancellationToken);
        }
        catch (SecretStoreUnavailableException ex)
        {
            LogSecretUnavailable(logger, name, ex.Message);
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Secret store unavailable", "The webhook secret could not be read; try again later.");
        }

        if (string.IsNullOrEmpty(secret))
        {
            LogSecretMissing(logger, name, SecretName);
            return Problems.Create(
                StatusCodes.Status500InternalServerError,
                "Webhook not configured",
                $"Connector '{name}' has no webhook secret, so no delivery can be verified.");
        }

        if (!Verify(body, signature, secret))
        {
            LogRejected(logger, name, "wrong signature");
            return Unauthorized("The signature does not match the body.");
        }

        return await handler.HandleAsync(request, name, new WebhookDelivery(body, request.ContentType, Headers(request)), cancellationToken);
    }

    /// <summary>The headers a connector may read: all but the signature and credentials; several values joined by commas.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> Headers(HttpRequest request) =>
        request.Headers
            .Where(static header => !HiddenHeaders.Contains(header.Key))
            .Select(static header => KeyValuePair.Create(header.Key, header.Value.ToString()));

    /// <summary>Whether <paramref name="signature"/> is <c>sha256=</c> and the hex HMAC-SHA256 of <paramref name="body"/> under
    /// <paramref name="secret"/>; the comparison takes the same time wherever the first difference is.</summary>
    internal static bool Verify(ReadOnlySpan<byte> body, string signature, string secret)
    {
        if (!signature.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || signature.Length != Scheme.Length + (2 * HMACSHA256.HashSizeInBytes))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(signature.AsSpan(Scheme.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != given.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The header value a sender computes: <c>sha256=</c> and the lower-case hex HMAC.</summary>
    internal static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Scheme + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static ObjectResult Unauthorized(string detail) => Problems.Create(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    [LoggerMessage(3100, LogLevel.Warning, "Webhook for {Connector} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string connector, string reason);

    [LoggerMessage(3101, LogLevel.Error, "Webhook for {Connector} cannot be verified: it has no secret {SecretName}")]
    private static partial void LogSecretMissing(ILogger logger, string connector, string secretName);

    [LoggerMessage(3102, LogLevel.Error, "Webhook for {Connector} cannot be verified: {Error}")]
    private static partial void LogSecretUnavailable(ILogger logger, string connector, string error);
}

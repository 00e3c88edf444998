namespace Tributary.Sdk;

/// <summary>
/// A webhook delivery the host has verified (its HMAC-SHA256 signature checked against the connector's
/// <c>webhook_secret</c>), as <see cref="Connector.HandleWebhookAsync"/> sees it: everything a sync has — configuration,
/// state, operations, checkpoints, secrets — plus the request.
/// </summary>
public abstract class WebhookContext : SyncContext
{
    /// <summary>The raw body, exactly as signed.</summary>
    public abstract ReadOnlyMemory<byte> Body { get; }

    /// <summary>The request's content type, if any.</summary>
    public abstract string? ContentType { get; }

    /// <summary>The request's headers, names in lower case (looked up ignoring case); the signature header and credentials
    /// such as <c>Authorization</c> are not among them.</summary>
    public abstract IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Asks the host to queue a sync of this connector once the handler has returned successfully, for deliveries
    /// that only say that something changed. Calling it more than once asks for one sync.</summary>
    public abstract void RequestSync();
}

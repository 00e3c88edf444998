using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Runtime;

/// <summary>
/// A webhook delivery the host has verified, for <see cref="SyncRunner.HandleWebhookAsync"/>; the connector's
/// <see cref="Connector.HandleWebhookAsync"/> reads it through its <see cref="WebhookContext"/>.
/// </summary>
public sealed class WebhookDelivery
{
    /// <summary>Creates the delivery.</summary>
    /// <param name="body">The raw body, exactly as signed.</param>
    /// <param name="contentType">The request's content type, if any.</param>
    /// <param name="headers">The headers the connector may read; the host leaves out its signature header and credentials.
    /// Names are stored in lower case and looked up ignoring case; of two names that differ only in case the last wins.
    /// Default: none.</param>
    public WebhookDelivery(ReadOnlyMemory<byte> body, string? contentType = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        Body = body;
        ContentType = contentType;
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers ?? [])
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(headers));
            copy.Remove(name);
            copy[name.ToLowerInvariant()] = value;
        }

        Headers = copy;
    }

    /// <summary>The raw body, exactly as signed.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The request's content type, if any.</summary>
    public string? ContentType { get; }

    /// <summary>The headers, names in lower case, looked up ignoring case.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }
}

/// <summary>What <see cref="SyncRunner.HandleWebhookAsync"/> did with a delivery.</summary>
/// <param name="Run">The handler's run record (trigger as the request names it), also saved in the store. A failure of the
/// handler is reported here, not thrown.</param>
/// <param name="SyncRequested">Whether the handler called <see cref="WebhookContext.RequestSync"/>, even when it then failed;
/// queuing the sync is the host's part.</param>
public sealed record WebhookRunResult(RunRecord Run, bool SyncRequested);

/// <summary>The <see cref="WebhookContext"/> a handler gets: the run's <see cref="SyncContext"/> plus the delivery.</summary>
internal sealed class WebhookSession(SyncContext sync, WebhookDelivery delivery) : WebhookContext
{
    private volatile bool _syncRequested;

    public bool SyncRequested => _syncRequested;

    public override ReadOnlyMemory<byte> Body => delivery.Body;

    public override string? ContentType => delivery.ContentType;

    public override IReadOnlyDictionary<string, string> Headers => delivery.Headers;

    public override void RequestSync() => _syncRequested = true;

    public override ConnectorConfiguration Configuration => sync.Configuration;

    public override JsonObject State => sync.State;

    public override ILogger Logger => sync.Logger;

    public override TimeProvider TimeProvider => sync.TimeProvider;

    public override TimeSpan? RemainingTime => sync.RemainingTime;

    public override HttpClient HttpClient => sync.HttpClient;

    public override ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) =>
        sync.GetSecretAsync(name, cancellationToken);

    public override ValueTask SetSecretAsync(string name, string value, CancellationToken cancellationToken = default) =>
        sync.SetSecretAsync(name, value, cancellationToken);

    public override ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default) =>
        sync.UpsertAsync(table, row, cancellationToken);

    public override ValueTask UpdateAsync(string table, object row, CancellationToken cancellationToken = default) =>
        sync.UpdateAsync(table, row, cancellationToken);

    public override ValueTask DeleteAsync(string table, object keys, CancellationToken cancellationToken = default) =>
        sync.DeleteAsync(table, keys, cancellationToken);

    public override ValueTask TruncateAsync(string table, CancellationToken cancellationToken = default) =>
        sync.TruncateAsync(table, cancellationToken);

    public override ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default) =>
        sync.CheckpointAsync(state, cancellationToken);

    public override ValueTask CheckpointAndWaitAsync(object state, CancellationToken cancellationToken = default) =>
        sync.CheckpointAndWaitAsync(state, cancellationToken);
}

namespace Tributary.FunctionsHost.Hosting;

/// <summary>The host's own settings: the <c>Tributary</c> section (app settings <c>Tributary__…</c>).</summary>
public sealed class TributaryHostOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Tributary";

    /// <summary>Folder of the local DuckDB warehouse (<c>warehouse.db</c>) and, without Key Vault, the local <c>secrets.json</c>.
    /// Default <c>files</c>, relative to the working folder.</summary>
    public string Files { get; set; } = "files";

    /// <summary>The Key Vault holding connector secrets (<c>Tributary__KeyVaultUri</c>). Unset: local secrets
    /// (environment variables <c>TRIBUTARY_SECRET_&lt;CONNECTOR&gt;_&lt;NAME&gt;</c> or <c>files/secrets.json</c>).</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>Where state lives.</summary>
    public StateStoreSettings StateStore { get; set; } = new();

    /// <summary>Webhook limits.</summary>
    public WebhookSettings Webhooks { get; set; } = new();

    /// <summary>
    /// Time kept back from <c>functionTimeout</c> (host.json): a run's budget is the timeout minus this, and its hard deadline
    /// the timeout minus a quarter of this. Default: a fifth of the timeout, at least 30 seconds.
    /// </summary>
    public TimeSpan? TimeoutMargin { get; set; }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Files, nameof(Files));
        ArgumentOutOfRangeException.ThrowIfLessThan(Webhooks.MaxBodyBytes, 1, "Webhooks.MaxBodyBytes");
        if (TimeoutMargin is { } margin)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(margin, TimeSpan.Zero, nameof(TimeoutMargin));
        }
    }
}

/// <summary>The Blob state store's location: <c>Tributary__StateStore__…</c>.</summary>
public sealed class StateStoreSettings
{
    /// <summary>The blob endpoint, reached with the <c>TributaryStorage</c> identity. Unset: the <c>TributaryStorage</c> connection.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>The container. Default <c>tributary-state</c>.</summary>
    public string ContainerName { get; set; } = Azure.State.BlobStateStoreOptions.DefaultContainerName;
}

/// <summary>Webhook limits: <c>Tributary__Webhooks__…</c>.</summary>
public sealed class WebhookSettings
{
    /// <summary>The largest body accepted; a larger one is answered 413. Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}

namespace Tributary.FunctionsHost.Hosting;

/// <summary>The host's own settings: the <c>Tributary</c> section (app settings <c>Tributary__…</c>).</summary>
public sealed class TributaryHostOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Tributary";

    /// <summary>Folder of the local Delta lake (<c>lake/</c>, without <c>Tributary__Destination__Delta__Uri</c>), the local DuckDB
    /// warehouse (<c>warehouse.db</c>) and, without Key Vault, the local <c>secrets.json</c>. Default <c>files</c>, relative to the
    /// working folder.</summary>
    public string Files { get; set; } = "files";

    /// <summary>The Key Vault holding connection secrets (<c>Tributary__KeyVaultUri</c>), named <c>&lt;id&gt;--&lt;name&gt;</c>. Unset: local secrets
    /// (environment variables <c>TRIBUTARY_SECRET_&lt;CONNECTION&gt;_&lt;NAME&gt;</c> or <c>files/secrets.json</c>).</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>Where state lives.</summary>
    public StateStoreSettings StateStore { get; set; } = new();

    /// <summary>Webhook limits.</summary>
    public WebhookSettings Webhooks { get; set; } = new();

    /// <summary>Where the destinations are, and whether an ephemeral DuckDB warehouse is accepted on Azure.</summary>
    public DestinationSettings Destination { get; set; } = new();

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
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Webhooks.HandlerTimeout, TimeSpan.Zero, "Webhooks.HandlerTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThan(Webhooks.RetryAfter, TimeSpan.FromSeconds(1), "Webhooks.RetryAfter");
        Webhooks.Validate();
        Destination.Delta.Validate();
        StateStore.Retention.Validate();
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

    /// <summary>What is kept of each connector's state history and run records (<c>Tributary__StateStore__Retention__HistoryCount</c>,
    /// <c>__HistoryDays</c>, <c>__RunCount</c>, <c>__RunDays</c>); defaults 100 checkpoints, 200 runs, 30 days each. The
    /// infrastructure sets the days to match the storage account's lifecycle policy.</summary>
    public Runtime.State.RetentionOptions Retention { get; set; } = new();
}

/// <summary>Webhook limits: <c>Tributary__Webhooks__…</c>.</summary>
public sealed class WebhookSettings
{
    /// <summary>The largest body accepted; a larger one is answered 413. Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a connector's webhook handler may run inline before it is stopped (what it committed stays) and the delivery
    /// is answered 503. Default 10 seconds: the sender waits for the answer, and many senders give up after 10 seconds.
    /// </summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Retry-After</c> of a 503 answer (the connector is running, or its handler ran out of time); whole
    /// seconds, at least 1. Default 30 seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How far a delivery's <c>webhook-timestamp</c> may be from the host's clock, either way; a delivery outside it is refused
    /// (401), and its <c>webhook-id</c> is remembered until its timestamp leaves the window, so a replay within it is refused
    /// (409). Default 5 minutes, as Standard Webhooks suggests; at most 1 hour.
    /// </summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Connectors whose senders cannot sign the Standard Webhooks way and may sign the body alone
    /// (<c>Tributary__Webhooks__BodyOnlySignatures__&lt;connector&gt;=true</c>): header <c>X-Tributary-Signature: sha256=&lt;hex
    /// HMAC-SHA256 of the body&gt;</c>. Such a signature says nothing of when the delivery was sent, so a captured one can be
    /// replayed at any time; use it only when the sender offers nothing better. Default: none.
    /// </summary>
    public Dictionary<string, bool> BodyOnlySignatures { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long the webhook secrets read to verify deliveries are kept in memory: a flood of forged deliveries costs
    /// one secret read per lifetime, not one per request. Defaults: 5 minutes, and 5 seconds for a failed read.</summary>
    public Runtime.Secrets.SecretCacheOptions SecretCache { get; set; } = new();

    /// <summary>Whether <paramref name="connector"/> accepts body-only signatures.</summary>
    public bool AcceptsBodyOnly(string connector) => BodyOnlySignatures.TryGetValue(connector, out var accepted) && accepted;

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Tolerance, TimeSpan.FromSeconds(1), "Webhooks.Tolerance");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Tolerance, TimeSpan.FromHours(1), "Webhooks.Tolerance");
        foreach (var connector in BodyOnlySignatures.Keys)
        {
            if (!Runtime.Schema.Names.IsSnakeCase(connector))
            {
                throw new ArgumentException($"Webhooks.BodyOnlySignatures names '{connector}', which is not a connector name (lower snake case).", nameof(BodyOnlySignatures));
            }
        }

        SecretCache.Validate();
    }
}

/// <summary>Destination settings: <c>Tributary__Destination__…</c>.</summary>
public sealed class DestinationSettings
{
    /// <summary>The Delta Lake destination (<c>delta</c>, the default).</summary>
    public DeltaSettings Delta { get; set; } = new();

    /// <summary>The DuckDB destination (<c>duckdb</c>).</summary>
    public DuckDbSettings DuckDb { get; set; } = new();

    /// <summary>The PostgreSQL destination.</summary>
    public PostgresSettings Postgres { get; set; } = new();
}

/// <summary>
/// The PostgreSQL destination, <c>Tributary__Destination__Postgres__…</c>, which the infrastructure sets when it deploys Azure
/// Database for PostgreSQL. The host connects with <c>SslMode=Require</c> and signs in with Entra tokens from its
/// <see cref="global::Azure.Core.TokenCredential"/> (the managed identity); no password is configured anywhere. All three are
/// required once a connection names <c>postgres</c> as its destination; none has a default.
/// </summary>
public sealed class PostgresSettings
{
    /// <summary>The server's host name, such as <c>psql-tributary-….postgres.database.azure.com</c>.</summary>
    public string? Host { get; set; }

    /// <summary>The database, such as <c>tributary</c>.</summary>
    public string? Database { get; set; }

    /// <summary>The role to sign in as: the managed identity's name (its Entra administrator role on the server).</summary>
    public string? Username { get; set; }
}

/// <summary>
/// The Delta Lake destination, <c>Tributary__Destination__Delta__…</c>: Delta tables at <c>&lt;schema&gt;/&lt;table&gt;/</c> under the lake root.
/// </summary>
public sealed class DeltaSettings
{
    /// <summary>
    /// The blob container that is the lake's root, such as <c>https://stlake….blob.core.windows.net/lake</c> (an ADLS Gen2 account
    /// serves the Blob API too), reached with the host's <see cref="global::Azure.Core.TokenCredential"/> (the managed identity).
    /// The infrastructure sets it. Unset: the local folder <c>&lt;Tributary__Files&gt;/lake</c>.
    /// </summary>
    public Uri? Uri { get; set; }

    /// <summary>
    /// Instead of <see cref="Uri"/>: a container of the <c>TributaryStorage</c> account, the one that holds the state and the run
    /// queue, such as <c>lake</c>. For running the host against Azurite (<c>TributaryStorage=UseDevelopmentStorage=true</c>),
    /// where the lake is then a blob container as on Azure; deployments use <see cref="Uri"/>, an account of its own.
    /// </summary>
    public string? Container { get; set; }

    /// <summary>Throws when both <see cref="Uri"/> and <see cref="Container"/> are set, or <see cref="Uri"/> is not an absolute http(s) URL naming a container.</summary>
    public void Validate()
    {
        if (Uri is not null && !string.IsNullOrEmpty(Container))
        {
            throw new ArgumentException(
                $"Tributary__Destination__Delta__Uri ('{Uri}') and Tributary__Destination__Delta__Container ('{Container}') are both set; set one: the URL of the lake's container, or a container of the TributaryStorage account.",
                nameof(Container));
        }

        if (Uri is null)
        {
            return;
        }

        if (!Uri.IsAbsoluteUri || (Uri.Scheme != System.Uri.UriSchemeHttps && Uri.Scheme != System.Uri.UriSchemeHttp) || Uri.AbsolutePath.Trim('/').Length == 0)
        {
            throw new ArgumentException(
                $"Tributary__Destination__Delta__Uri is '{Uri}'; it must be a blob container's URL, such as https://<account>.blob.core.windows.net/lake.",
                nameof(Uri));
        }
    }
}

/// <summary>The DuckDB destination, <c>Tributary__Destination__DuckDb__…</c>: a file <c>&lt;Tributary__Files&gt;/warehouse.db</c>.</summary>
public sealed class DuckDbSettings
{
    /// <summary>
    /// Whether a connection may write to DuckDB when the host runs on Azure, where the file lives on the instance's temporary disk:
    /// lost on every recycle and never shared between instances, while the connection's state advances durably. For demos only.
    /// Default <see langword="false"/>: on Azure the host refuses a <c>duckdb</c> connection's runs.
    /// </summary>
    public bool AllowEphemeral { get; set; }
}

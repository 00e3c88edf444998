using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Tributary.Sdk.Http;

/// <summary>
/// How a <see cref="RestClient"/> reaches its source: the base address, the authentication, and the limits and retries.
/// In a connector, a connection's configuration can override the limits and retries without a rebuild (the keys are
/// given on each property), so an operator can slow one connection down for a source with a tight quota.
/// </summary>
public sealed class RestClientOptions
{
    /// <summary>The configuration key that overrides <see cref="MaxRetries"/>.</summary>
    public const string MaxRetriesKey = "http_max_retries";

    /// <summary>The configuration key that overrides <see cref="RetryDelay"/>, in milliseconds.</summary>
    public const string RetryDelayKey = "http_retry_delay_ms";

    /// <summary>The configuration key that overrides <see cref="AttemptTimeout"/>, in seconds.</summary>
    public const string AttemptTimeoutKey = "http_timeout_seconds";

    /// <summary>The configuration key that overrides <see cref="RequestsPerSecond"/>.</summary>
    public const string RequestsPerSecondKey = "http_requests_per_second";

    /// <summary>The configuration key that overrides <see cref="MaxConcurrentRequests"/>.</summary>
    public const string MaxConcurrentRequestsKey = "http_max_concurrent_requests";

    /// <summary>Relative request paths resolve against it, as a directory: <c>https://api.example.com/v2</c> and <c>…/v2/</c> both
    /// make <c>users</c> <c>https://api.example.com/v2/users</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>How requests are authenticated; none when null.</summary>
    public Authenticator? Authenticator { get; init; }

    /// <summary>A client certificate presented in the TLS handshake (see <see cref="ClientCertificates"/>).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// A certificate authority trusted for the source's server certificate besides the system's roots: a private CA, or the
    /// server's own self-signed certificate. Null: the system's roots only.
    /// </summary>
    public X509Certificate2? TrustedServerCertificate { get; init; }

    /// <summary>Headers sent with every request. <c>Accept: application/json</c> and a <c>User-Agent</c> are set unless replaced.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Accept"] = "application/json",
        ["User-Agent"] = "Tributary",
    };

    /// <summary>Retries of a failed attempt (408, 429, 5xx, a timeout, a connection failure); default 5. Key <c>http_max_retries</c>.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay, doubled on each further retry with jitter; default 1 s. A <c>Retry-After</c> header wins.
    /// Key <c>http_retry_delay_ms</c>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take, headers and body; default 100 s. Key <c>http_timeout_seconds</c>.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>At most this many requests per second across every fetcher of the client (attempts, token calls included);
    /// null: no limit. Key <c>http_requests_per_second</c>.</summary>
    public double? RequestsPerSecond { get; set; }

    /// <summary>At most this many requests in flight at once across every fetcher of the client; null: no limit.
    /// Key <c>http_max_concurrent_requests</c>.</summary>
    public int? MaxConcurrentRequests { get; set; }

    /// <summary>Whether POST, PUT, PATCH and DELETE are retried too. Off by default: a retried write may apply twice.
    /// Token requests are always retried.</summary>
    public bool RetryUnsafeMethods { get; set; }

    /// <summary>The clock of the toolkit's waits (backoff, <c>Retry-After</c>) and of token expiry; default the system's.</summary>
    public TimeProvider? TimeProvider { get; set; }

    // These options with the connection's overrides applied, checked.
    internal RestClientOptions WithOverrides(ConnectorConfiguration configuration)
    {
        var effective = (RestClientOptions)MemberwiseClone();
        if (configuration.ContainsKey(MaxRetriesKey))
        {
            effective.MaxRetries = configuration.GetInt32(MaxRetriesKey);
        }

        if (configuration.ContainsKey(RetryDelayKey))
        {
            effective.RetryDelay = TimeSpan.FromMilliseconds(configuration.GetInt32(RetryDelayKey));
        }

        if (configuration.ContainsKey(AttemptTimeoutKey))
        {
            effective.AttemptTimeout = TimeSpan.FromSeconds(configuration.GetInt32(AttemptTimeoutKey));
        }

        if (configuration.ContainsKey(RequestsPerSecondKey))
        {
            effective.RequestsPerSecond = (double)configuration.GetDecimal(RequestsPerSecondKey);
        }

        if (configuration.ContainsKey(MaxConcurrentRequestsKey))
        {
            effective.MaxConcurrentRequests = configuration.GetInt32(MaxConcurrentRequestsKey);
        }

        return effective;
    }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseAddress);
        Check(MaxRetries >= 0, MaxRetriesKey, MaxRetries.ToString(CultureInfo.InvariantCulture), "0 or more");
        Check(RetryDelay > TimeSpan.Zero, RetryDelayKey, RetryDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture), "more than 0");
        Check(AttemptTimeout > TimeSpan.Zero, AttemptTimeoutKey, AttemptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture), "more than 0");
        Check(RequestsPerSecond is null or > 0, RequestsPerSecondKey, RequestsPerSecond?.ToString(CultureInfo.InvariantCulture), "more than 0");
        Check(MaxConcurrentRequests is null or > 0, MaxConcurrentRequestsKey, MaxConcurrentRequests?.ToString(CultureInfo.InvariantCulture), "more than 0");
    }

    private static void Check(bool valid, string key, string? value, string expected)
    {
        if (!valid)
        {
            throw new ConfigurationException($"HTTP setting '{key}' must be {expected}; got '{value}'.");
        }
    }
}

using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace Tributary.Sdk.Http;

/// <summary>
/// The handlers under a <see cref="RestClient"/>: Polly's retry (backoff, <c>Retry-After</c>), the rate and concurrency
/// limiters and the per-attempt timeout, then the authentication, then the socket handler with the client certificate. The
/// authenticator's own calls (a login, a token endpoint) get the same pipeline without the authentication.
/// </summary>
internal sealed class HttpPipeline : IDisposable
{
    /// <summary>Set on a request whose credentials were renewed after a 401.</summary>
    public static readonly HttpRequestOptionsKey<bool> Renewed = new("Tributary.Http.Renewed");

    private readonly SocketsHttpHandler? _transport;
    private readonly List<IDisposable> _owned = [];

    public HttpPipeline(RestClientOptions options, Func<Uri, Uri> redact, ILogger logger, HttpMessageHandler? innerHandler)
    {
        Time = options.TimeProvider ?? TimeProvider.System;
        var transport = innerHandler ?? (_transport = CreateTransport(options));
        var pipeline = CreateResiliencePipeline(options, redact, logger);
        Backchannel = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = transport }, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        HttpMessageHandler authenticated = transport;
        if (options.Authenticator is { } authenticator)
        {
            authenticated = new AuthenticationHandler(authenticator, new AuthenticationChannel(Backchannel, Time)) { InnerHandler = transport };
        }

        Client = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = authenticated }, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Sends a connector's requests.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends the authenticator's requests.</summary>
    public HttpClient Backchannel { get; }

    public TimeProvider Time { get; }

    public void Dispose()
    {
        Client.Dispose();
        Backchannel.Dispose();
        _transport?.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static SocketsHttpHandler CreateTransport(RestClientOptions options)
    {
        var transport = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (options.ClientCertificate is { } certificate)
        {
            transport.SslOptions.ClientCertificates = [certificate];
        }

        if (options.TrustedServerCertificate is { } trusted)
        {
            transport.SslOptions.RemoteCertificateValidationCallback = (_, presented, chain, errors) =>
                errors == SslPolicyErrors.None || (errors == SslPolicyErrors.RemoteCertificateChainErrors && ChainsTo(presented, chain, trusted));
        }

        return transport;
    }

    // Whether the server's certificate chains to the trusted certificate alone (host name errors are never forgiven).
    private static bool ChainsTo(X509Certificate? presented, X509Chain? presentedChain, X509Certificate2 trusted)
    {
        if (presented is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }

    private ResiliencePipeline<HttpResponseMessage> CreateResiliencePipeline(RestClientOptions options, Func<Uri, Uri> redact, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = Time };
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(options.MaxRetries, 0),
            Delay = options.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = true,
            OnRetry = args =>
            {
                var request = args.Context.GetRequestMessage();
                HttpLog.Retrying(
                    logger,
                    request?.Method.Method ?? "?",
                    request?.RequestUri is { } uri ? redact(uri) : null,
                    args.Outcome.Result is { } response ? $"{(int)response.StatusCode} {response.StatusCode}" : args.Outcome.Exception?.GetType().Name ?? "?",
                    args.AttemptNumber + 1,
                    (long)args.RetryDelay.TotalMilliseconds);
                return default;
            },
        };
        var transient = retry.ShouldHandle;
        retry.ShouldHandle = args =>
        {
            // A failed TLS handshake (an untrusted server, a refused client certificate) fails the same way every time.
            if (args.Outcome.Exception is { } failure && IsTlsFailure(failure))
            {
                return PredicateResult.False();
            }

            var request = args.Context.GetRequestMessage();
            var retryable = options.RetryUnsafeMethods
                || request is null
                || IsSafe(request.Method)
                || (request.Options.TryGetValue(OAuth2TokenEndpoint.AlwaysRetry, out var always) && always);
            return retryable ? transient(args) : PredicateResult.False();
        };

        if (options.MaxRetries > 0)
        {
            builder.AddRetry(retry);
        }

        if (options.RequestsPerSecond is { } rate)
        {
            var limiter = CreateRateLimiter(rate);
            _owned.Add(limiter);
            builder.AddRateLimiter(limiter);
        }

        if (options.MaxConcurrentRequests is { } concurrency)
        {
            var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = concurrency, QueueLimit = int.MaxValue });
            _owned.Add(limiter);
            builder.AddRateLimiter(limiter);
        }

        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    // A token bucket refilled ten times a second (or once per request below 10/s): bursts stay within a tenth of a second's worth.
    private static TokenBucketRateLimiter CreateRateLimiter(double requestsPerSecond)
    {
        var (tokens, period) = requestsPerSecond >= 10
            ? ((int)Math.Round(requestsPerSecond / 10), TimeSpan.FromMilliseconds(100))
            : (1, TimeSpan.FromSeconds(1 / requestsPerSecond));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Whether <paramref name="exception"/> is, or was caused by, a failed TLS handshake.</summary>
    public static bool IsTlsFailure(Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSafe(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Trace;

    /// <summary>Applies the credentials before each attempt; after a 401, renews them once and sends again.</summary>
    private sealed class AuthenticationHandler(Authenticator authenticator, AuthenticationChannel channel) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await authenticator.ApplyAsync(request, channel, cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized || !await authenticator.RenewAsync(request, channel, cancellationToken))
            {
                return response;
            }

            response.Dispose();
            await authenticator.ApplyAsync(request, channel, cancellationToken);
            var again = await base.SendAsync(request, cancellationToken);
            request.Options.Set(Renewed, true);
            return again;
        }
    }
}

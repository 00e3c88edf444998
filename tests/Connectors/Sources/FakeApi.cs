using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tributary.Connectors.Tests.Sources;

/// <summary>One request as the fake received it: what a test checks for secrets and for what was asked.</summary>
/// <param name="Method">GET, POST, …</param>
/// <param name="PathAndQuery">The path and the query string as sent.</param>
/// <param name="Headers">Every header, names lower case, values joined with a comma.</param>
/// <param name="Body">The body as text; empty when there was none.</param>
public sealed record CapturedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The request as one line of text, headers and body included: what a test searches for a secret.</summary>
    public override string ToString() =>
        $"{Method} {PathAndQuery} {string.Join(' ', Headers.Select(h => $"{h.Key}: {h.Value}"))} {Body}";
}

/// <summary>
/// An in-process fake of an HTTP API: Kestrel on 127.0.0.1 and a port the operating system picks, the routes the test maps,
/// a log of every request, and one-shot faults (a 429 with <c>Retry-After</c>, a 503, a malformed body, any status) served
/// instead of the route for the next requests that match.
/// </summary>
public sealed class FakeApi : IAsyncDisposable
{
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();
    private readonly Lock _faultsGate = new();
    private readonly List<(Func<HttpRequest, bool> When, Fault Fault)> _faults = [];
    private WebApplication? _app;

    private FakeApi()
    {
    }

    /// <summary>The API's root, <c>http://127.0.0.1:&lt;port&gt;/</c> (<c>https</c> when started with TLS).</summary>
    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Every request received, faulted ones included, in arrival order.</summary>
    public IReadOnlyList<CapturedRequest> Requests => [.. _requests];

    /// <summary>Starts the fake.</summary>
    /// <param name="map">Maps the API's routes (minimal APIs: <c>app.MapGet(...)</c>).</param>
    /// <param name="https">Configures TLS on the listener (a server certificate, client-certificate rules); plain HTTP when null.</param>
    public static async Task<FakeApi> StartAsync(Action<WebApplication> map, Action<ListenOptions>? https = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        var fake = new FakeApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => https?.Invoke(listen)));
        var app = builder.Build();
        app.Use(fake.CaptureAndFaultAsync);
        map(app);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        fake.BaseUri = new Uri($"{address.Scheme}://127.0.0.1:{address.Port}/");
        fake._app = app;
        return fake;
    }

    /// <summary>Serves <paramref name="fault"/> instead of the route to the next <paramref name="times"/> requests that
    /// match <paramref name="when"/> (every request when null).</summary>
    public void Inject(Fault fault, Func<HttpRequest, bool>? when = null, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_faultsGate)
        {
            for (var i = 0; i < times; i++)
            {
                _faults.Add((when ?? (static _ => true), fault));
            }
        }
    }

    /// <summary>The requests whose path starts with <paramref name="pathPrefix"/>.</summary>
    public IReadOnlyList<CapturedRequest> RequestsTo(string pathPrefix) =>
        [.. _requests.Where(r => r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal))];

    /// <summary>Forgets the requests received so far, so a test can look at one sync's requests.</summary>
    public void ClearRequests() => _requests.Clear();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task CaptureAndFaultAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        request.Body.Position = 0;
        _requests.Enqueue(new CapturedRequest(
            request.Method,
            request.Path + request.QueryString,
            request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
            body));

        Fault? fault = null;
        lock (_faultsGate)
        {
            var index = _faults.FindIndex(f => f.When(request));
            if (index >= 0)
            {
                fault = _faults[index].Fault;
                _faults.RemoveAt(index);
            }
        }

        if (fault is null)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = fault.Status;
        foreach (var (name, value) in fault.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = fault.ContentType;
        await context.Response.WriteAsync(fault.Body, context.RequestAborted);
    }
}

/// <summary>A response a <see cref="FakeApi"/> serves instead of the route.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Body">The body.</param>
/// <param name="ContentType">The body's content type.</param>
/// <param name="Headers">Extra response headers.</param>
public sealed record Fault(int Status, string Body, string ContentType, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>429 Too Many Requests with <c>Retry-After: seconds</c>.</summary>
    public static Fault TooManyRequests(int retryAfterSeconds = 1) => new(
        StatusCodes.Status429TooManyRequests,
        """{"error":"rate limit exceeded"}""",
        "application/json",
        new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>503 Service Unavailable.</summary>
    public static Fault Unavailable() => new(StatusCodes.Status503ServiceUnavailable, """{"error":"unavailable"}""", "application/json", new Dictionary<string, string>());

    /// <summary>200 OK with a JSON body cut off in the middle: the malformed page.</summary>
    public static Fault Malformed() => new(StatusCodes.Status200OK, """{"data":[{"id":1,"name":"trun""", "application/json", new Dictionary<string, string>());

    /// <summary>Any status with a JSON error body, for example 401 for a revoked credential.</summary>
    public static Fault WithStatus(int status, string body = """{"error":"fault"}""") => new(status, body, "application/json", new Dictionary<string, string>());
}

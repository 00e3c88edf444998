using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.DynamoDb;

/// <summary>
/// A pass-through in front of dynalite that plays IAM, which dynalite does not: dynalite checks the shape of a request's
/// signature but accepts any key pair, so this proxy answers a revoked access key with the error DynamoDB itself sends
/// (400 <c>UnrecognizedClientException</c>, "The security token included in the request is invalid.") and forwards
/// everything else unchanged. Its <see cref="FakeApi"/> logs each request, so a test can see what was asked (the
/// <c>X-Amz-Target</c> and the JSON body of every Scan).
/// </summary>
internal sealed class DynamoDbProxy : IAsyncDisposable
{
    private readonly HttpClient _http = new();
    private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);
    private readonly Uri _dynalite;

    private DynamoDbProxy(Uri dynalite) => _dynalite = dynalite;

    public FakeApi Api { get; private set; } = null!;

    public static async Task<DynamoDbProxy> StartAsync(Uri dynalite)
    {
        var proxy = new DynamoDbProxy(dynalite);
        proxy.Api = await FakeApi.StartAsync(app => app.MapPost("/", proxy.ForwardAsync));
        return proxy;
    }

    /// <summary>Revokes an access key, as deactivating it in IAM does.</summary>
    public void Revoke(string accessKeyId) => _revoked[accessKeyId] = true;

    /// <summary>The body of every request to <paramref name="operation"/> (<c>Scan</c>, <c>DescribeTable</c>), in arrival order.</summary>
    public IReadOnlyList<JsonObject> Requests(string operation) =>
    [
        .. Api.Requests
            .Where(r => r.Headers.GetValueOrDefault("x-amz-target") == $"DynamoDB_20120810.{operation}")
            .Select(r => JsonNode.Parse(r.Body)!.AsObject()),
    ];

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        _http.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (_revoked.Keys.Any(key => authorization.Contains($"Credential={key}/", StringComparison.Ordinal)))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.WriteAsync(
                """{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}""",
                context.RequestAborted);
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var request = new HttpRequestMessage(HttpMethod.Post, _dynalite) { Content = new ByteArrayContent(body.ToArray()) };
        foreach (var (name, value) in context.Request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value.ToString());
            }
            else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        using var response = await _http.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}

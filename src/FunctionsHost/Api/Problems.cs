using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Tributary.FunctionsHost.Api;

/// <summary>RFC 9457 problem responses: a status, a short title and a sentence that says what to do.</summary>
internal static class Problems
{
    public static ObjectResult Create(int status, string title, string detail)
    {
        var result = new ObjectResult(new ProblemDetails { Status = status, Title = title, Detail = detail }) { StatusCode = status };
        result.ContentTypes.Add("application/problem+json");
        return result;
    }

    public static ObjectResult UnknownConnection(string id, IReadOnlyCollection<string> known) => Create(
        StatusCodes.Status404NotFound,
        "Unknown connection",
        $"No connection has id '{id}'. Known connections: {Hosting.ConnectionDirectory.List(known)}.");

    public static ObjectResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "Bad request", detail);

    /// <summary>A 503 with a <c>Retry-After</c> header of <paramref name="retryAfter"/>, rounded up to whole seconds.</summary>
    public static IActionResult Unavailable(string title, string detail, TimeSpan retryAfter) =>
        new RetryAfterResult(Create(StatusCodes.Status503ServiceUnavailable, title, detail), retryAfter);

    /// <summary>Adds <c>Retry-After</c> to another result.</summary>
    private sealed class RetryAfterResult(IActionResult inner, TimeSpan retryAfter) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.Headers.RetryAfter = Seconds(retryAfter).ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteResultAsync(context);
        }
    }

    /// <summary>Whole seconds, rounded up, at least 1.</summary>
    public static long Seconds(TimeSpan delay) => Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds));
}

/// <summary>Sync ids: version 7 GUIDs, so they sort by time.</summary>
internal static class SyncIds
{
    public static string New(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    /// <summary>The status URL of a sync: the connection's status filtered to it.</summary>
    public static string StatusUrl(HttpRequest request, string connection, string syncId) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/api/connections/{Uri.EscapeDataString(connection)}?sync={syncId}";
}

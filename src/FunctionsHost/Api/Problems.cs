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

    public static ObjectResult UnknownConnector(string name, IEnumerable<string> known) => Create(
        StatusCodes.Status404NotFound,
        "Unknown connector",
        $"No connector is named '{name}'. Known connectors: {string.Join(", ", known)}.");

    public static ObjectResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "Bad request", detail);
}

/// <summary>Sync ids: version 7 GUIDs, so they sort by time.</summary>
internal static class SyncIds
{
    public static string New(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    /// <summary>The status URL of a sync: the connector's status filtered to it.</summary>
    public static string StatusUrl(HttpRequest request, string connector, string syncId) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/api/connectors/{Uri.EscapeDataString(connector)}?sync={syncId}";
}

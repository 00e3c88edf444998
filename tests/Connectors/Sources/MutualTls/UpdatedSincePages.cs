using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tributary.Connectors.Tests.Sources.MutualTls;

/// <summary>
/// How <see cref="MutualTlsFake"/> pages a changing collection, in the style of Fivetran's API playground: <c>?updated_since=&amp;page=&amp;per_page=</c> answers
/// <c>{"data": [...], "page", "per_page", "total_items", "total_pages"}</c>, records ordered by their update time then key,
/// only those updated at or after <c>updated_since</c>; 400 with a JSON error for a parameter a real API would refuse.
/// </summary>
public static class UpdatedSincePages
{
    public const int MaxPerPage = 100;

    public static IResult Serve(HttpRequest request, IEnumerable<JsonObject> records, string updatedField, string keyField)
    {
        var since = DateTimeOffset.MinValue;
        if (request.Query.TryGetValue("updated_since", out var sinceText) &&
            !DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out since))
        {
            return Error($"updated_since '{sinceText}' is not an ISO-8601 timestamp");
        }

        if (!TryPositive(request, "page", 1, out var page) || !TryPositive(request, "per_page", 10, out var perPage) || perPage > MaxPerPage)
        {
            return Error($"page and per_page must be positive integers, per_page at most {MaxPerPage}");
        }

        List<JsonObject> matching = [.. records
            .Where(r => Parse(r[updatedField]) >= since)
            .OrderBy(r => Parse(r[updatedField]))
            .ThenBy(r => SortKey(r[keyField]), StringComparer.Ordinal)];

        return Results.Json(new JsonObject
        {
            ["data"] = new JsonArray([.. matching.Skip((page - 1) * perPage).Take(perPage)]),
            ["page"] = page,
            ["per_page"] = perPage,
            ["total_items"] = matching.Count,
            ["total_pages"] = (matching.Count + perPage - 1) / perPage,
        });
    }

    /// <summary>An ISO-8601 UTC timestamp as the API writes them: <c>2024-09-01T01:00:00Z</c>.</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>401 with a JSON error, as the API answers a refused credential.</summary>
    public static IResult Unauthorized(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status401Unauthorized);

    private static DateTimeOffset Parse(JsonNode? value) =>
        DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string SortKey(JsonNode? key) =>
        key is JsonValue value && value.TryGetValue<long>(out var number) ? number.ToString("D20", CultureInfo.InvariantCulture) : key?.ToString() ?? "";

    private static bool TryPositive(HttpRequest request, string name, int defaultValue, out int value)
    {
        value = defaultValue;
        return !request.Query.TryGetValue(name, out var text) ||
            (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
    }

    private static IResult Error(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);
}

using System.Text.Json.Nodes;

namespace Tributary.Sdk.Http;

/// <summary>
/// A request to a REST source: a path relative to the client's base address (or an absolute URL), query parameters, and
/// where the records are in the answer. Paginators change a copy of it from page to page; the caller's stays as it is.
/// </summary>
public sealed class RestRequest
{
    /// <summary>Creates a GET request.</summary>
    /// <param name="path">A path relative to <see cref="RestClientOptions.BaseAddress"/> (<c>v1/items</c>), or an absolute URL.</param>
    public RestRequest(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
    }

    /// <summary>The path relative to the base address, or an absolute URL; it may carry its own query string.</summary>
    public string Path { get; set; }

    /// <summary>The method; GET unless set.</summary>
    public HttpMethod Method { get; init; } = HttpMethod.Get;

    /// <summary>Query parameters added to the path's own, in insertion order; the paginator's go here too.</summary>
    public IDictionary<string, string> Query { get; private init; } = new OrderedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Headers for this request only, on top of the client's.</summary>
    public IDictionary<string, string> Headers { get; private init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A JSON body, sent as <c>application/json</c>.</summary>
    public JsonNode? JsonBody { get; init; }

    /// <summary>A form body, sent as <c>application/x-www-form-urlencoded</c>.</summary>
    public IReadOnlyDictionary<string, string>? FormBody { get; init; }

    /// <summary>
    /// Where the records are in the answer: a dot-separated property path to an array (<c>data</c>, <c>paging.results</c>).
    /// <see langword="null"/>: the body itself, an array of records, or an object that is one record.
    /// </summary>
    public string? RecordsPath { get; init; }

    // The page an indexed paginator set last, counted from 0.
    internal long PageIndex { get; set; }

    internal RestRequest Copy()
    {
        var copy = new RestRequest(Path)
        {
            Method = Method,
            JsonBody = JsonBody?.DeepClone(),
            FormBody = FormBody,
            RecordsPath = RecordsPath,
            Query = new OrderedDictionary<string, string>(Query, StringComparer.Ordinal),
            Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase),
            PageIndex = PageIndex,
        };
        return copy;
    }
}

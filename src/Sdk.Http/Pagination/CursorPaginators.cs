using Tributary.Sdk.Http.Reading;

namespace Tributary.Sdk.Http;

/// <summary>
/// Pages by a cursor: the next page's request carries <see cref="CursorParameter"/>, taken from the body
/// (<see cref="CursorPath"/>, e.g. <c>paging.next.after</c>) or from the last record (<see cref="RecordKeyPath"/>, e.g.
/// <c>id</c>: keyset pagination). It stops after an empty page, when there is no next cursor, when the cursor does not
/// move, or when <see cref="HasMorePath"/> is false.
/// </summary>
public sealed class KeysetPaginator : Paginator
{
    /// <summary>The query parameter that carries the cursor.</summary>
    public required string CursorParameter { get; init; }

    /// <summary>Where the body holds the next page's cursor.</summary>
    public string? CursorPath { get; init; }

    /// <summary>Or: the path in the last record whose value is the next page's cursor.</summary>
    public string? RecordKeyPath { get; init; }

    /// <summary>Where the body says whether more pages follow (<c>has_more</c>).</summary>
    public string? HasMorePath { get; init; }

    /// <inheritdoc />
    protected internal override bool Next(RestPage page, RestRequest request)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(request);
        if ((CursorPath is null) == (RecordKeyPath is null))
        {
            throw new InvalidOperationException("A KeysetPaginator needs exactly one of CursorPath and RecordKeyPath.");
        }

        if (page.Count == 0 || (HasMorePath is not null && JsonPath.GetBoolean(page.Envelope, HasMorePath) == false))
        {
            return false;
        }

        var cursor = CursorPath is not null ? JsonPath.GetText(page.Envelope, CursorPath) : JsonPath.GetText(page.LastRecord, RecordKeyPath!);
        if (cursor is null || (request.Query.TryGetValue(CursorParameter, out var current) && current == cursor))
        {
            return false;
        }

        request.Query[CursorParameter] = cursor;
        return true;
    }
}

/// <summary>
/// Follows a next-page URL in the body (<see cref="NextUrlPath"/>: <c>next</c>, <c>links.next</c>); a relative one resolves
/// against the page's. It stops when there is none, or when it points at the page just read.
/// </summary>
public sealed class NextUrlPaginator : Paginator
{
    /// <summary>Where the body holds the next page's URL.</summary>
    public required string NextUrlPath { get; init; }

    /// <inheritdoc />
    protected internal override bool Next(RestPage page, RestRequest request)
    {
        ArgumentNullException.ThrowIfNull(page);
        return Follow(page, request, JsonPath.GetText(page.Envelope, NextUrlPath));
    }

    // Points the request at the next URL, which carries every parameter itself.
    internal static bool Follow(RestPage page, RestRequest request, string? next)
    {
        if (next is null || !Uri.TryCreate(page.RequestUri, next, out var uri) || uri == page.RequestUri)
        {
            return false;
        }

        request.Path = uri.AbsoluteUri;
        request.Query.Clear();
        return true;
    }
}

/// <summary>Follows the RFC 8288 <c>Link</c> header: <c>&lt;https://…?page=2&gt;; rel="next"</c>. It stops when there is no such link.</summary>
public sealed class LinkHeaderPaginator : Paginator
{
    /// <summary>The relation to follow; <c>next</c> unless set.</summary>
    public string Relation { get; init; } = "next";

    /// <inheritdoc />
    protected internal override bool Next(RestPage page, RestRequest request)
    {
        ArgumentNullException.ThrowIfNull(page);
        var next = page.Headers.TryGetValues("Link", out var values)
            ? values.SelectMany(LinkHeader.Parse).FirstOrDefault(link => link.Relations.Contains(Relation, StringComparer.OrdinalIgnoreCase)).Target
            : null;
        return NextUrlPaginator.Follow(page, request, next);
    }
}

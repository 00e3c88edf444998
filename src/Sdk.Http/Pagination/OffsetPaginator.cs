using System.Globalization;
using Tributary.Sdk.Http.Reading;

namespace Tributary.Sdk.Http;

/// <summary>
/// Pages by offset and limit: <c>?offset=0&amp;limit=100</c>, <c>?offset=100&amp;limit=100</c>, … It stops after an empty page,
/// a page with fewer records than <see cref="Limit"/>, the offset that reaches <see cref="TotalPath"/>'s total, or a page whose
/// <see cref="HasMorePath"/> is false.
/// </summary>
public sealed class OffsetPaginator : IndexedPaginator
{
    /// <summary>The query parameter of the offset; <c>offset</c> unless set.</summary>
    public string OffsetParameter { get; init; } = "offset";

    /// <summary>The query parameter of the limit; <c>limit</c> unless set.</summary>
    public string LimitParameter { get; init; } = "limit";

    /// <summary>Records per page: a page with fewer is the last.</summary>
    public required int Limit { get; init; }

    /// <summary>The first page's offset; 0 unless set.</summary>
    public long StartOffset { get; init; }

    /// <summary>Where the body says how many records there are in all (<c>total</c>, <c>pagination.total</c>).</summary>
    public string? TotalPath { get; init; }

    /// <summary>Where the body says whether more pages follow (<c>has_more</c>).</summary>
    public string? HasMorePath { get; init; }

    internal override void Apply(RestRequest request, long index)
    {
        if (Limit <= 0)
        {
            throw new InvalidOperationException($"An OffsetPaginator's Limit must be more than 0; it is {Limit}.");
        }

        request.Query[OffsetParameter] = (StartOffset + (index * Limit)).ToString(CultureInfo.InvariantCulture);
        request.Query[LimitParameter] = Limit.ToString(CultureInfo.InvariantCulture);
    }

    internal override bool IsLast(RestPage page, long index) =>
        page.Count == 0
        || page.Count < Limit
        || (PageCount(page) is { } pages && index + 1 >= pages)
        || (HasMorePath is not null && JsonPath.GetBoolean(page.Envelope, HasMorePath) == false);

    internal override long? PageCount(RestPage first) =>
        TotalPath is not null && JsonPath.GetInt64(first.Envelope, TotalPath) is { } total
            ? Math.Max(0, (total - StartOffset + Limit - 1) / Limit)
            : null;
}

using System.Globalization;
using Tributary.Sdk.Http.Reading;

namespace Tributary.Sdk.Http;

/// <summary>
/// Pages by number: <c>?page=1</c>, <c>?page=2</c>, … It stops after an empty page, a page with fewer records than
/// <see cref="PageSize"/>, the page <see cref="TotalPagesPath"/> names as the last, or a page whose <see cref="HasMorePath"/> is false.
/// </summary>
public sealed class PageNumberPaginator : IndexedPaginator
{
    /// <summary>The query parameter of the page number; <c>page</c> unless set.</summary>
    public string PageParameter { get; init; } = "page";

    /// <summary>The first page's number; 1 unless set.</summary>
    public int FirstPage { get; init; } = 1;

    /// <summary>The query parameter of the page size (<c>per_page</c>, <c>pageSize</c>); sent when <see cref="PageSize"/> is set.</summary>
    public string? PageSizeParameter { get; init; }

    /// <summary>Records per page: a page with fewer is the last.</summary>
    public int? PageSize { get; init; }

    /// <summary>Where the body says how many pages there are (<c>total_pages</c>, <c>meta.pages</c>).</summary>
    public string? TotalPagesPath { get; init; }

    /// <summary>Where the body says whether more pages follow (<c>has_more</c>).</summary>
    public string? HasMorePath { get; init; }

    internal override void Apply(RestRequest request, long index)
    {
        request.Query[PageParameter] = (FirstPage + index).ToString(CultureInfo.InvariantCulture);
        if (PageSizeParameter is not null && PageSize is { } size)
        {
            request.Query[PageSizeParameter] = size.ToString(CultureInfo.InvariantCulture);
        }
    }

    internal override bool IsLast(RestPage page, long index) =>
        page.Count == 0
        || page.Count < PageSize
        || (PageCount(page) is { } pages && index + 1 >= pages)
        || (HasMorePath is not null && JsonPath.GetBoolean(page.Envelope, HasMorePath) == false);

    internal override long? PageCount(RestPage first) =>
        TotalPagesPath is null ? null : JsonPath.GetInt64(first.Envelope, TotalPagesPath);
}

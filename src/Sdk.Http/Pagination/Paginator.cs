namespace Tributary.Sdk.Http;

/// <summary>
/// Turns one page's answer into the next page's request, and says when there is none. The toolkit's paginators are
/// <see cref="PageNumberPaginator"/>, <see cref="OffsetPaginator"/>, <see cref="KeysetPaginator"/>, <see cref="NextUrlPaginator"/>
/// and <see cref="LinkHeaderPaginator"/>; derive from this class for a scheme they do not cover. A paginator holds no state
/// of its own (where it is lives in the request), so one instance can serve many reads.
/// </summary>
public abstract class Paginator
{
    /// <summary>Creates the paginator.</summary>
    protected Paginator()
    {
    }

    /// <summary>Prepares the first page's request (its page number, its limit); the default changes nothing.</summary>
    /// <param name="request">A copy of the caller's request, the paginator's to change.</param>
    protected internal virtual void Start(RestRequest request)
    {
    }

    /// <summary>Changes <paramref name="request"/> into the next page's request, or returns false when <paramref name="page"/> was the last.</summary>
    /// <param name="page">The page just read.</param>
    /// <param name="request">The request that read it, the paginator's to change.</param>
    protected internal abstract bool Next(RestPage page, RestRequest request);
}

/// <summary>
/// A paginator whose pages are addressed by their index (a page number, an offset), so that several can be fetched at once
/// (<see cref="RestClient.GetRecordsConcurrentlyAsync"/>).
/// </summary>
public abstract class IndexedPaginator : Paginator
{
    private protected IndexedPaginator()
    {
    }

    /// <inheritdoc />
    protected internal sealed override void Start(RestRequest request) => Seek(request, 0);

    /// <inheritdoc />
    protected internal sealed override bool Next(RestPage page, RestRequest request)
    {
        if (IsLast(page, request.PageIndex))
        {
            return false;
        }

        Seek(request, request.PageIndex + 1);
        return true;
    }

    /// <summary>Points <paramref name="request"/> at the page with index <paramref name="index"/> (the first is 0).</summary>
    internal void Seek(RestRequest request, long index)
    {
        request.PageIndex = index;
        Apply(request, index);
    }

    internal abstract void Apply(RestRequest request, long index);

    /// <summary>Whether <paramref name="page"/>, at index <paramref name="index"/>, is the last.</summary>
    internal abstract bool IsLast(RestPage page, long index);

    /// <summary>How many pages there are, when the first page says (a total); null when it does not.</summary>
    internal virtual long? PageCount(RestPage first) => null;
}

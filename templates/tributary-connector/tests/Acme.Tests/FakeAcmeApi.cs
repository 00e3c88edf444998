using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Web;

namespace Acme.Tests;

/// <summary>
/// The Acme API in memory, as an <see cref="HttpMessageHandler"/>: <c>GET items?updated_since=…&amp;limit=…&amp;cursor=…</c>
/// answers the items changed at or after <c>updated_since</c>, oldest change first, a page of <c>limit</c> at a time, with
/// a <c>next_cursor</c> while more follow. It wants the bearer token <see cref="ApiKey"/>.
/// </summary>
public sealed class FakeAcmeApi : HttpMessageHandler
{
    public const string BaseUrl = "https://api.acme.test/v1/";
    public const string ApiKey = "acme-test-key";

    private readonly Lock _gate = new();
    private readonly Dictionary<int, Item> _items = [];

    /// <summary>Three items, changed a minute apart.</summary>
    public FakeAcmeApi()
    {
        Put(new Item(1, "anvil", 1, "2024-09-01T10:00:00Z"));
        Put(new Item(2, "rocket", 2, "2024-09-01T10:01:00Z"));
        Put(new Item(3, "magnet", 3, "2024-09-01T10:02:00Z"));
    }

    /// <summary>The ids of the items served, in order, across every request.</summary>
    public List<int> Served { get; } = [];

    /// <summary>The <c>updated_since</c> of every request.</summary>
    public List<string?> UpdatedSince { get; } = [];

    /// <summary>Adds an item, or replaces the one with its id: a change at the source.</summary>
    public void Put(Item item)
    {
        lock (_gate)
        {
            _items[item.Id] = item;
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: ApiKey })
        {
            return Answer(request, HttpStatusCode.Unauthorized);
        }

        if (request.Method != HttpMethod.Get || request.RequestUri?.AbsolutePath != "/v1/items")
        {
            return Answer(request, HttpStatusCode.NotFound);
        }

        var query = HttpUtility.ParseQueryString(request.RequestUri.Query);
        var since = query["updated_since"] ?? "";
        var limit = int.Parse(query["limit"] ?? "100", CultureInfo.InvariantCulture);
        var start = int.Parse(query["cursor"] ?? "0", CultureInfo.InvariantCulture);
        lock (_gate)
        {
            var changed = _items.Values
                .Where(i => string.CompareOrdinal(i.UpdatedAt, since) >= 0)
                .OrderBy(i => i.UpdatedAt, StringComparer.Ordinal).ThenBy(i => i.Id)
                .ToList();
            var page = changed.Skip(start).Take(limit).ToList();
            UpdatedSince.Add(since);
            Served.AddRange(page.Select(i => i.Id));
            var next = start + page.Count < changed.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
            var body = new { items = page.Select(i => new { id = i.Id, name = i.Name, price = i.Price, updated_at = i.UpdatedAt }), next_cursor = next };
            return Answer(request, HttpStatusCode.OK, JsonContent.Create(body));
        }
    }

    // As a real handler does, the response names its request.
    private static Task<HttpResponseMessage> Answer(HttpRequestMessage request, HttpStatusCode status, HttpContent? content = null) =>
        Task.FromResult(new HttpResponseMessage(status) { RequestMessage = request, Content = content ?? new StringContent("") });

    /// <summary>An item of the API.</summary>
    public sealed record Item(int Id, string Name, decimal Price, string UpdatedAt);
}

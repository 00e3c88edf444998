using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Sdk.Http.Tests.Support;

namespace Tributary.Sdk.Http.Tests.Pagination;

/// <summary>Each paginator against a real HTTP server of 25 items, read to the end, and where each one stops.</summary>
public sealed class PaginatorTests
{
    private const int Items = 25;

    [Fact]
    public async Task PageNumber_ShortLastPage_ReadsEveryItemAndStops()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsAsync(new RestRequest("pages") { RecordsPath = "data" }, new PageNumberPaginator { PageSize = 10, PageSizeParameter = "per_page" }));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal(["/pages?page=1&per_page=10", "/pages?page=2&per_page=10", "/pages?page=3&per_page=10"], server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task PageNumber_TotalPages_StopsWithoutAnEmptyPage()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsAsync(new RestRequest("pages") { RecordsPath = "data", Query = { ["per_page"] = "5" } }, new PageNumberPaginator { TotalPagesPath = "meta.total_pages" }));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal(5, server.Requests.Count);
    }

    [Fact]
    public async Task Offset_TotalInBody_ReadsEveryItemInOrder()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsAsync(new RestRequest("offset") { RecordsPath = "results" }, new OffsetPaginator { Limit = 5, TotalPath = "total" }));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal(5, server.Requests.Count);
    }

    [Fact]
    public async Task Keyset_CursorAfterTheRecords_FollowsItToTheEnd()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsAsync(new RestRequest("cursor") { RecordsPath = "paging.results" }, new KeysetPaginator { CursorParameter = "after", CursorPath = "paging.next.after" }));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal("/cursor?after=20", server.Requests[^1].PathAndQuery);
    }

    [Fact]
    public async Task Keyset_LastRecordKey_StopsOnTheEmptyPage()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsAsync(new RestRequest("keyset"), new KeysetPaginator { CursorParameter = "since_id", RecordKeyPath = "id" }));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal("/keyset?since_id=25", server.Requests[^1].PathAndQuery);
    }

    [Fact]
    public async Task NextUrl_RelativeLink_FollowsItUntilNull()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsAsync(new RestRequest("next?size=10") { RecordsPath = "items" }, new NextUrlPaginator { NextUrlPath = "links.next" }));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task LinkHeader_NextRelation_FollowsItUntilAbsent()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsAsync(new RestRequest("link"), new LinkHeaderPaginator()));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal(["/link", "/link?page=2", "/link?page=3"], server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task Concurrent_EightFetchers_YieldsPagesInOrderAndStopsAtTheTotal()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsConcurrentlyAsync(new RestRequest("pages") { RecordsPath = "data" }, new PageNumberPaginator { PageSize = 2, PageSizeParameter = "per_page", TotalPagesPath = "meta.total_pages" }, fetchers: 8));

        Assert.Equal(Enumerable.Range(1, Items), ids);
        Assert.Equal(13, server.Requests.Count);   // ceil(25 / 2) pages, none past the last
    }

    [Fact]
    public async Task Concurrent_NoTotal_StopsAtTheShortPageAndDropsThePagesBeyond()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var ids = await IdsAsync(client.GetRecordsConcurrentlyAsync(new RestRequest("offset") { RecordsPath = "results" }, new OffsetPaginator { Limit = 4 }, fetchers: 4));

        Assert.Equal(Enumerable.Range(1, Items), ids);
    }

    [Fact]
    public async Task GetPages_EachPage_CarriesItsRecordsAndEnvelope()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var pages = new List<RestPage>();
        await foreach (var page in client.GetPagesAsync(new RestRequest("pages") { RecordsPath = "data" }, new PageNumberPaginator { PageSize = 10, PageSizeParameter = "per_page" }))
        {
            pages.Add(page);
        }

        Assert.Equal([10, 10, 5], pages.Select(p => p.Records.Count));
        Assert.Equal(3, pages[0].Envelope["meta"]!["total_pages"]!.GetValue<int>());
        Assert.False(pages[0].Envelope.ContainsKey("data"));
        Assert.Equal(25, pages[2].LastRecord!["id"]!.GetValue<int>());
    }

    internal static RestClient Client(TestServer server) => new(new RestClientOptions { BaseAddress = server.BaseUri, RetryDelay = TimeSpan.FromMilliseconds(1) });

    internal static async Task<List<int>> IdsAsync(IAsyncEnumerable<JsonObject> records)
    {
        var ids = new List<int>();
        await foreach (var record in records)
        {
            ids.Add(record["id"]!.GetValue<int>());
        }

        return ids;
    }

    private static Task<TestServer> StartAsync() => TestServer.StartAsync(app =>
    {
        app.MapGet("/pages", (int page, int? per_page) =>
        {
            var size = per_page ?? 10;
            return Results.Json(new { meta = new { total_pages = (Items + size - 1) / size }, data = Range((page - 1) * size, size) });
        });
        app.MapGet("/offset", (int offset, int limit) => Results.Json(new { results = Range(offset, limit), total = Items }));
        app.MapGet("/cursor", (int? after) =>
        {
            var start = after ?? 0;
            var more = start + 10 < Items;
            // The cursor comes after the records, as HubSpot's does.
            var results = System.Text.Json.JsonSerializer.Serialize(Range(start, 10));
            var next = more ? $",\"next\":{{\"after\":\"{start + 10}\"}}" : string.Empty;
            return Results.Text("{\"paging\":{\"results\":" + results + next + "}}", "application/json");
        });
        app.MapGet("/keyset", (int? since_id) => Results.Json(Range(since_id ?? 0, 10)));
        app.MapGet("/next", (int size, int? from) =>
        {
            var start = from ?? 0;
            var next = start + size < Items ? $"next?size={size}&from={start + size}" : null;
            return Results.Json(new { items = Range(start, size), links = new { next } });
        });
        app.MapGet("/link", (HttpContext context, int? page) =>
        {
            var number = page ?? 1;
            if (number * 10 < Items)
            {
                var root = $"{context.Request.Scheme}://{context.Request.Host}";
                context.Response.Headers.Link = $"<{root}/link?page={number + 1}>; rel=\"next\", <{root}/link?page=3>; rel=\"last\"";
            }

            return Results.Json(Range((number - 1) * 10, 10));
        });
    });

    private static object[] Range(int start, int count) =>
        [.. Enumerable.Range(start + 1, Math.Max(0, Math.Min(count, Items - start))).Select(id => new { id, name = "item " + id.ToString(CultureInfo.InvariantCulture) })];
}

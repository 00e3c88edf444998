using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Tributary.Sdk.Http.Tests.Support;

namespace Tributary.Sdk.Http.Tests;

/// <summary>Retries, Retry-After, limits, errors and the connection's settings, against a real HTTP server.</summary>
public sealed class RestClientTests
{
    [Fact]
    public async Task Send_503Once_RetriesAndSucceeds()
    {
        var calls = 0;
        await using var server = await TestServer.StartAsync(app => app.MapGet("/flaky", () => Interlocked.Increment(ref calls) == 1 ? Results.StatusCode(503) : Results.Json(new { ok = true })));
        using var client = Client(server);

        var json = await client.GetJsonAsync(new RestRequest("flaky"));

        Assert.True(json!["ok"]!.GetValue<bool>());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Send_429WithRetryAfter_WaitsThatLongOnTheClientsClock()
    {
        var time = new TimerWatchingTimeProvider();
        var calls = 0;
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(app => app.MapGet("/limited", (HttpContext context) =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return Results.Json(new { ok = true });
            }

            context.Response.Headers.RetryAfter = "30";
            first.SetResult();
            return Results.StatusCode(429);
        }));
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, TimeProvider = time });

        var answer = client.GetJsonAsync(new RestRequest("limited"));
        await first.Task;
        Assert.Equal(TimeSpan.FromSeconds(30), await time.FirstTimer.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, Volatile.Read(ref calls));   // the backoff (1 s) would have retried by now; Retry-After holds it
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True((await answer)!["ok"]!.GetValue<bool>());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Send_PostAnswered503_IsNotRetriedUnlessAllowed()
    {
        var calls = 0;
        await using var server = await TestServer.StartAsync(app => app.MapPost("/orders", () => Interlocked.Increment(ref calls) <= 2 ? Results.StatusCode(503) : Results.Json(new { id = 1 })));
        using var strict = Client(server);
        using var lenient = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, RetryDelay = TimeSpan.FromMilliseconds(1), RetryUnsafeMethods = true });

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => strict.GetJsonAsync(new RestRequest("orders") { Method = HttpMethod.Post, JsonBody = new System.Text.Json.Nodes.JsonObject { ["a"] = 1 } }));
        var json = await lenient.GetJsonAsync(new RestRequest("orders") { Method = HttpMethod.Post, JsonBody = new System.Text.Json.Nodes.JsonObject { ["a"] = 1 } });

        Assert.Contains("POST " + server.BaseUri + "orders answered 503", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, json!["id"]!.GetValue<int>());
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Send_500Always_FailsAsUnavailableAfterTheRetries()
    {
        var calls = 0;
        await using var server = await TestServer.StartAsync(app => app.MapGet("/down", () =>
        {
            Interlocked.Increment(ref calls);
            return Results.Text("database on fire", statusCode: 500);
        }));
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 2 });

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => client.GetJsonAsync(new RestRequest("down")));

        Assert.Equal(3, calls);
        Assert.Contains("GET " + server.BaseUri + "down answered 500 InternalServerError after every retry. The source said: database on fire", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_404_FailsAtOnceWithTheStatusAndBody()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/", () => "root"));
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<RestException>(() => client.GetJsonAsync(new RestRequest("missing") { Query = { ["q"] = "a b" } }));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("missing?q=a b answered 404", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetRecords_MalformedSecondPage_YieldsTheFirstAndNamesTheUrl()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", (int page) => page == 1
            ? Results.Text("""{"data":[{"id":1},{"id":2}]}""", "application/json")
            : Results.Text("""{"data":[{"id":3},{"id":""", "application/json")));
        using var client = Client(server);
        var ids = new List<int>();

        var error = await Assert.ThrowsAsync<RestException>(async () =>
        {
            await foreach (var record in client.GetRecordsAsync(new RestRequest("items") { RecordsPath = "data" }, new PageNumberPaginator()))
            {
                ids.Add(record["id"]!.GetValue<int>());
            }
        });

        Assert.Equal([1, 2, 3], ids);
        Assert.Contains($"GET {server.BaseUri}items?page=2 answered with a malformed body: the body is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRecordsTyped_RecordOfTheWrongShape_FailsNamingTheRecord()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", () => Results.Text("""[{"id":1,"name":"a"},{"id":"x"}]""", "application/json")));
        using var client = Client(server);
        var items = new List<Item>();

        var error = await Assert.ThrowsAsync<RestException>(async () =>
        {
            await foreach (var item in client.GetRecordsAsync<Item>(new RestRequest("items")))
            {
                items.Add(item);
            }
        });

        Assert.Equal("a", Assert.Single(items).Name);
        Assert.Contains($"GET {server.BaseUri}items answered with a malformed body: record 2 does not read as Item", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRecordsTyped_BadRecordPastTheFirstRunOfALongPage_FailsNamingItsIndexOnThePage()
    {
        // 1,000 records of about 60 bytes: the reader parses them in runs of 16 KB, so record 777 is in a later run.
        var body = "[" + string.Join(',', Enumerable.Range(1, 1000).Select(i => i == 777
            ? """{"id":"seven hundred seventy-seven","name":"bad"}"""
            : $$"""{"id":{{i}},"name":"item number {{i}} of the page"}""")) + "]";
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", () => Results.Text(body, "application/json")));
        using var client = Client(server);
        var items = new List<Item>();

        var error = await Assert.ThrowsAsync<RestException>(async () =>
        {
            await foreach (var item in client.GetRecordsAsync<Item>(new RestRequest("items")))
            {
                items.Add(item);
            }
        });

        Assert.Equal(776, items.Count);
        Assert.Equal(776, items[^1].Id);
        Assert.Contains("record 777 does not read as Item", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJsonTyped_BodyOfTheWrongShape_FailsNamingTheUrlAndTheType()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", () => Results.Text("""{"id":"x"}""", "application/json")));
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<RestException>(() => client.GetJsonAsync<Item>(new RestRequest("items") { Query = { ["page"] = "2" } }));

        Assert.Contains($"GET {server.BaseUri}items?page=2 answered with a malformed body: the body does not read as Item", error.Message, StringComparison.Ordinal);
        Assert.IsType<System.Text.Json.JsonException>(error.InnerException);
    }

    [Fact]
    public async Task Concurrency_EightFetchersLimitedToTwo_NeverHasMoreInFlight()
    {
        var inFlight = 0;
        var most = 0;
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", async (int page) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(20);
            Interlocked.Decrement(ref inFlight);
            return Results.Json(page > 12 ? [] : new[] { new { id = page } });
        }));
        using var client = new RestClient(new RestClientOptions { BaseAddress = server.BaseUri, MaxConcurrentRequests = 2 });

        var ids = await Pagination.PaginatorTests.IdsAsync(client.GetRecordsConcurrentlyAsync(new RestRequest("items"), new PageNumberPaginator(), fetchers: 8));

        Assert.Equal(Enumerable.Range(1, 12), ids);
        Assert.InRange(most, 1, 2);
    }

    [Fact]
    public async Task Concurrency_SlowPage_TheOtherFetchersMoveOn()
    {
        // The first page is read alone; then page 2 answers only once page 7 is asked for, which four fetchers reach only
        // if pages 3 to 5 free their requests while page 2 is still out.
        var seventhAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", async (int page) =>
        {
            if (page == 7)
            {
                seventhAsked.TrySetResult();
            }
            else if (page == 2)
            {
                await seventhAsked.Task;
            }

            return Results.Json(page > 8 ? [] : new[] { new { id = page } });
        }));
        using var client = Client(server);

        var ids = await Pagination.PaginatorTests.IdsAsync(client.GetRecordsConcurrentlyAsync(new RestRequest("items"), new PageNumberPaginator(), fetchers: 4))
            .WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(Enumerable.Range(1, 8), ids);
    }

    [Fact]
    public async Task Concurrency_CallerStopsReading_NoMoreThanTwiceTheFetchersPagesAreRequestedAhead()
    {
        // A page a record and no total: fetchers that were not held back would request pages without end.
        var asked = 0;
        var windowFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", (int page) =>
        {
            if (Interlocked.Increment(ref asked) == 5)
            {
                windowFull.TrySetResult();
            }

            return Results.Json(new[] { new { id = page } });
        }));
        using var client = Client(server);
        var records = client.GetRecordsConcurrentlyAsync(new RestRequest("items"), new PageNumberPaginator(), fetchers: 2).GetAsyncEnumerator();

        // The first page is read alone; the fetchers start once its record is taken, and the caller stops in the second page.
        Assert.True(await records.MoveNextAsync());
        Assert.True(await records.MoveNextAsync());
        Assert.Equal(2, records.Current["id"]!.GetValue<int>());
        await windowFull.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await records.DisposeAsync();

        Assert.Equal(["/items?page=1", "/items?page=2", "/items?page=3", "/items?page=4", "/items?page=5"], server.Requests.Select(r => r.PathAndQuery).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Concurrency_PageFails_YieldsThePagesBeforeItThenItsError()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", (int page) =>
            page == 5 ? Results.StatusCode(400) : Results.Json(page > 10 ? [] : new[] { new { id = page } })));
        using var client = Client(server);
        var ids = new List<int>();

        var error = await Assert.ThrowsAsync<RestException>(async () =>
        {
            await foreach (var record in client.GetRecordsConcurrentlyAsync(new RestRequest("items"), new PageNumberPaginator(), fetchers: 4))
            {
                ids.Add(record["id"]!.GetValue<int>());
            }
        });

        Assert.Equal([1, 2, 3, 4], ids);
        Assert.Contains($"GET {server.BaseUri}items?page=5 answered 400", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_FiveRequestsPerSecond_SpreadsTenRequestsOverTwoSeconds()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/items", () => Results.Json(new { ok = true })));
        using var client = new RestClient(new TestSyncContext(new Dictionary<string, string> { [RestClientOptions.RequestsPerSecondKey] = "5" }), new RestClientOptions { BaseAddress = server.BaseUri });

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetJsonAsync(new RestRequest("items"))));

        // The bucket holds one token and gains one every 200 ms: the tenth request waits for the ninth refill.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.7), $"10 requests at 5/s took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Send_403WithoutAnAuthenticator_FailsAsConfigurationWithoutBlamingCredentials()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/points", () => Results.Text("""{"title":"User-Agent required"}""", "application/json", statusCode: 403)));
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => client.GetJsonAsync(new RestRequest("points")));

        Assert.Contains("answered 403 Forbidden: the source refused the request. Check the connection's configuration.", error.Message, StringComparison.Ordinal);
        Assert.Contains("User-Agent required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BaseAddress_WithoutTrailingSlash_IsADirectory()
    {
        await using var server = await TestServer.StartAsync(app => app.MapGet("/v2/users", () => Results.Json(new { ok = true })));
        using var client = new RestClient(new RestClientOptions { BaseAddress = new Uri(server.BaseUri, "v2") });

        var json = await client.GetJsonAsync(new RestRequest("users"));

        Assert.True(json!["ok"]!.GetValue<bool>());
        Assert.Equal(new Uri(server.BaseUri, "v2/"), client.BaseAddress);
    }

    [Theory]
    [InlineData(RestClientOptions.RequestsPerSecondKey, "0")]
    [InlineData(RestClientOptions.MaxRetriesKey, "-1")]
    [InlineData(RestClientOptions.MaxConcurrentRequestsKey, "many")]
    [InlineData(RestClientOptions.RetryDelayKey, "0")]
    public void Create_BadConnectionSetting_FailsNamingTheKey(string key, string value)
    {
        var context = new TestSyncContext(new Dictionary<string, string> { [key] = value });

        var error = Assert.Throws<ConfigurationException>(() => new RestClient(context, new RestClientOptions { BaseAddress = new Uri("http://127.0.0.1/") }));

        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
    }

    private static RestClient Client(TestServer server) => new(new RestClientOptions { BaseAddress = server.BaseUri, RetryDelay = TimeSpan.FromMilliseconds(1) });

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>A fake clock that reports the due time of the first timer started on it: the retry's wait.</summary>
    private sealed class TimerWatchingTimeProvider : FakeTimeProvider
    {
        public TaskCompletionSource<TimeSpan> FirstTimer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan && dueTime > TimeSpan.Zero)
            {
                FirstTimer.TrySetResult(dueTime);
            }

            return timer;
        }
    }

    private sealed record Item(int Id, string Name);
}

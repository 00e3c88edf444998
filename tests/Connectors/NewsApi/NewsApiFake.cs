using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.NewsApi;

/// <summary>One article as NewsAPI describes it.</summary>
public sealed record FakeArticle(string SourceName, string Title, DateTimeOffset PublishedAt, string? Author = null);

/// <summary>
/// A fake of NewsAPI's <c>/v2/everything</c> (https://newsapi.org/docs/endpoints/everything): the key in <c>apiKey</c>,
/// <c>X-Api-Key</c> or <c>Authorization: Bearer</c>; <c>q</c> matched against title and description; <c>from</c> and
/// <c>to</c> bounding <c>publishedAt</c>; newest first; <c>page</c> and <c>pageSize</c> (at most 100); the developer plan's
/// 100-result cap (<c>maximumResultsReached</c>); errors as <c>{"status":"error","code":...,"message":...}</c>.
/// </summary>
public sealed class NewsApiFake : IAsyncDisposable
{
    private readonly ConcurrentBag<FakeArticle> _articles = [];

    private NewsApiFake(FakeApi api) => Api = api;

    public FakeApi Api { get; }

    /// <summary>The key the fake accepts; change it to revoke the one a connection holds.</summary>
    public string ApiKey { get; set; } = "news-key-0123456789abcdef";

    public static async Task<NewsApiFake> StartAsync()
    {
        NewsApiFake? fake = null;
        var api = await FakeApi.StartAsync(app => app.MapGet("/v2/everything", (HttpRequest request) => fake!.Everything(request)));
        fake = new NewsApiFake(api);
        return fake;
    }

    public void Add(FakeArticle article) => _articles.Add(article);

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private IResult Everything(HttpRequest request)
    {
        var key = request.Query["apiKey"].ToString();
        if (key.Length == 0)
        {
            key = request.Headers["X-Api-Key"].ToString();
        }

        if (key.Length == 0 && request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            key = auth["Bearer ".Length..];
        }

        if (key.Length == 0)
        {
            return Error(401, "apiKeyMissing", "Your API key is missing. Append this to the URL with the apiKey param, or use the x-api-key HTTP header.");
        }

        if (key != ApiKey)
        {
            return Error(401, "apiKeyInvalid", "Your API key is invalid or incorrect. Check your key, or go to https://newsapi.org to create a free API key.");
        }

        var q = request.Query["q"].ToString();
        if (q.Length == 0)
        {
            return Error(400, "parametersMissing", "Required parameters are missing. Please set any of the following parameters and try again: q, qInTitle, sources, domains.");
        }

        var pageSize = int.Parse(request.Query["pageSize"].FirstOrDefault() ?? "100", CultureInfo.InvariantCulture);
        var page = int.Parse(request.Query["page"].FirstOrDefault() ?? "1", CultureInfo.InvariantCulture);
        if (pageSize is < 1 or > 100)
        {
            return Error(400, "parameterInvalid", "pageSize must be between 1 and 100.");
        }

        if ((page - 1) * pageSize >= 100)
        {
            return Error(426, "maximumResultsReached", "You have requested too many results. Developer accounts are limited to a max of 100 results.");
        }

        var from = ParseTime(request.Query["from"].ToString()) ?? DateTimeOffset.MinValue;
        var to = ParseTime(request.Query["to"].ToString()) ?? DateTimeOffset.MaxValue;
        var matching = _articles
            .Where(a => a.Title.Contains(q, StringComparison.OrdinalIgnoreCase) && a.PublishedAt >= from && a.PublishedAt <= to)
            .OrderByDescending(a => a.PublishedAt)
            .ToList();

        var articles = new JsonArray([.. matching.Skip((page - 1) * pageSize).Take(pageSize).Select(a => (JsonNode)new JsonObject
        {
            ["source"] = new JsonObject { ["id"] = null, ["name"] = a.SourceName },
            ["author"] = a.Author,
            ["title"] = a.Title,
            ["description"] = $"About {a.Title}",
            ["url"] = $"https://news.example/{Uri.EscapeDataString(a.Title)}",
            ["urlToImage"] = null,
            ["publishedAt"] = a.PublishedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["content"] = $"{a.Title} … [+1200 chars]",
        })]);
        return Results.Json(new JsonObject { ["status"] = "ok", ["totalResults"] = matching.Count, ["articles"] = articles });
    }

    // NewsAPI reads a time without an offset as UTC.
    private static DateTimeOffset? ParseTime(string text) => text.Length == 0
        ? null
        : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new JsonObject { ["status"] = "error", ["code"] = code, ["message"] = message }, statusCode: status);
}

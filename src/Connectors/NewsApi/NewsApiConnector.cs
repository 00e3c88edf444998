using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.NewsApi;

/// <summary>
/// Articles about configured topics from NewsAPI's <c>/v2/everything</c>, one time window per sync: from the last
/// sync's <c>to_ts</c> to now, each topic read page by page with <c>page</c> and <c>pageSize</c>.
/// </summary>
[Connector("newsapi", Description = "Articles about configured topics from NewsAPI's /v2/everything, one time window per sync.")]
public sealed partial class NewsApiConnector : Connector
{
    private const string Table = "article";
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["source", "published_at"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["source"] = ColumnType.String,
                ["published_at"] = ColumnType.UtcDateTime,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = NewsApiSettings.Read(context.Configuration);
        var state = context.ReadState<NewsApiState>();

        // The window: from where the last sync stopped (a day back on the first) to now, both in UTC.
        var now = context.TimeProvider.GetUtcNow();
        var from = state.ToTs ?? now.AddDays(-1).ToString(TimeFormat, CultureInfo.InvariantCulture);
        var to = now.ToString(TimeFormat, CultureInfo.InvariantCulture);

        var apiKey = await context.GetSecretAsync("api_key", cancellationToken);
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = settings.BaseUrl,
            // NewsAPI takes the key as apiKey in the query, X-Api-Key or Authorization; the header keeps it out of URLs.
            Authenticator = ApiKeyAuthenticator.InHeader("X-Api-Key", apiKey),
        });

        foreach (var topic in settings.Topics)
        {
            var request = new RestRequest("v2/everything") { RecordsPath = "articles" };
            request.Query["q"] = topic;
            request.Query["from"] = from;
            request.Query["to"] = to;
            request.Query["language"] = settings.Language;
            request.Query["sortBy"] = "publishedAt";
            var paginator = new PageNumberPaginator { PageSizeParameter = "pageSize", PageSize = settings.PageSize };

            var read = 0;
            await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
            {
                var envelope = page.Envelope;
                if (envelope["status"]?.GetValue<string>() != "ok")
                {
                    throw new InvalidOperationException(
                        $"{page.Uri} answered status '{envelope["status"]}' ({envelope["code"]}): {envelope["message"]}");
                }

                var total = envelope["totalResults"]?.GetValue<int>() ?? 0;
                if (read == 0)
                {
                    LogResults(context.Logger, total, topic);
                }

                foreach (var article in page.Records)
                {
                    await context.UpsertAsync(Table, ToRow(topic, article), cancellationToken);
                }

                read += page.Count;

                // The page's rows are committed; the window stays where it was until every topic is read, so an
                // interrupted sync reads this window again and converges.
                await context.CheckpointAsync(state, cancellationToken);

                // NewsAPI pages past totalResults are empty, and past max_results (100 on a developer key) an error.
                if (read >= Math.Min(total, settings.MaxResults))
                {
                    break;
                }
            }
        }

        state.ToTs = to;
        LogWindowDone(context.Logger, from, to);
        await context.CheckpointAsync(state, cancellationToken);
    }

    private static JsonObject ToRow(string topic, JsonObject article) => new()
    {
        ["topic"] = topic,
        ["source"] = article["source"]?["name"]?.DeepClone(),
        ["published_at"] = article["publishedAt"]?.DeepClone(),
        ["author"] = article["author"]?.DeepClone(),
        ["title"] = article["title"]?.DeepClone(),
        ["description"] = article["description"]?.DeepClone(),
        ["content"] = article["content"]?.DeepClone(),
        ["url"] = article["url"]?.DeepClone(),
    };

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "{TotalResults} results for topic {Topic}")]
    private static partial void LogResults(ILogger logger, int totalResults, string topic);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Articles published from {From} to {To} are synced")]
    private static partial void LogWindowDone(ILogger logger, string from, string to);
}

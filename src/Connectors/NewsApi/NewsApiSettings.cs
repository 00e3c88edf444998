using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Sdk;

namespace Tributary.Connectors.NewsApi;

/// <summary>The saved state: where the next window starts, as the Fivetran original writes it.</summary>
internal sealed class NewsApiState
{
    [JsonPropertyName("to_ts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ToTs { get; set; }
}

/// <summary>The connector's configuration, validated.</summary>
internal sealed record NewsApiSettings(Uri BaseUrl, IReadOnlyList<string> Topics, int PageSize, int MaxResults, string Language)
{
    public static NewsApiSettings Read(ConnectorConfiguration configuration)
    {
        var baseUrl = configuration.GetUri("base_url", "https://newsapi.org/");
        var topicsText = configuration.GetString("topic");
        string[]? topics;
        try
        {
            topics = JsonSerializer.Deserialize<string[]>(topicsText);
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException($"Configuration key 'topic' must be a JSON array of strings, like [\"Michigan\"]; got '{topicsText}'.", ex);
        }

        if (topics is null || topics.Length == 0 || topics.Any(string.IsNullOrWhiteSpace))
        {
            throw new ConfigurationException($"Configuration key 'topic' must list at least one non-empty topic; got '{topicsText}'.");
        }

        var pageSize = configuration.GetInt32("pageSize", 100);
        if (pageSize is < 1 or > 100)
        {
            throw new ConfigurationException($"Configuration key 'pageSize' must be between 1 and 100 (NewsAPI's maximum); got {pageSize}.");
        }

        var maxResults = configuration.GetInt32("max_results", 100);
        if (maxResults < 1)
        {
            throw new ConfigurationException($"Configuration key 'max_results' must be positive; got {maxResults}.");
        }

        return new NewsApiSettings(baseUrl, topics, pageSize, maxResults, configuration.GetString("language", "en"));
    }
}

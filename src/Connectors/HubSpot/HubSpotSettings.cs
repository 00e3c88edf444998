using System.Globalization;
using Tributary.Sdk;

namespace Tributary.Connectors.HubSpot;

/// <summary>The connector's configuration, validated.</summary>
internal sealed record HubSpotSettings(Uri BaseUrl, string InitialSyncStartDate, IReadOnlyList<string> EventTypes, int PageSize)
{
    public static HubSpotSettings Read(ConnectorConfiguration configuration)
    {
        var baseUrl = configuration.GetUri("base_url", "https://api.hubapi.com/");
        var initial = configuration.GetDateTimeOffset("initial_sync_start_date").ToUniversalTime()
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var types = configuration.GetString("event_types", "e_visited_page")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var type in types)
        {
            if (!type.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                throw new ConfigurationException(
                    $"Configuration key 'event_types' lists '{type}', which is not a HubSpot event type name like e_visited_page (lower case, digits and '_').");
            }
        }

        if (types.Length == 0 || types.Distinct(StringComparer.Ordinal).Count() != types.Length)
        {
            throw new ConfigurationException("Configuration key 'event_types' must list one or more distinct event types, comma-separated.");
        }

        var pageSize = configuration.GetInt32("page_size", 1000);
        if (pageSize is < 1 or > 1000)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be between 1 and 1000; got {pageSize}.");
        }

        return new HubSpotSettings(baseUrl, initial, types, pageSize);
    }
}

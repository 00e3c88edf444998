using System.Globalization;
using Tributary.Sdk;

namespace Tributary.Connectors.PokeApi;

/// <summary>The connector's configuration, in the original's keys and defaults, checked before anything is requested.</summary>
internal sealed record PokeApiSettings(Uri BaseUrl, int Limit, TimeSpan RequestDelay)
{
    public const string DefaultBaseUrl = "https://pokeapi.co/api/v2";

    public static PokeApiSettings Read(ConnectorConfiguration configuration)
    {
        var limit = configuration.GetInt32("limit", 100);
        if (limit < 1)
        {
            throw new ConfigurationException($"Configuration key 'limit' must be a positive number of Pokémon per sync; got {limit}.");
        }

        var delayText = configuration.GetString("request_delay", "1.0");
        if (!decimal.TryParse(delayText, NumberStyles.Number, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > 60)
        {
            throw new ConfigurationException($"Configuration key 'request_delay' must be a number of seconds from 0 to 60; got '{delayText}'.");
        }

        // The original's api_base_url has no trailing slash; relative paths resolve under it only with one.
        var baseUrl = configuration.GetUri("api_base_url", DefaultBaseUrl);
        baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        return new PokeApiSettings(baseUrl, limit, TimeSpan.FromSeconds((double)seconds));
    }
}

using Tributary.Sdk;

namespace Tributary.Connectors.Accelo;

/// <summary>The connector's configuration, validated.</summary>
internal sealed record AcceloSettings(Uri BaseUrl, string ClientId, int PageSize, int Fetchers, int CheckpointInterval)
{
    public static AcceloSettings Read(ConnectorConfiguration configuration)
    {
        var baseUrl = configuration.GetString("base_url", "").Length > 0
            ? configuration.GetUri("base_url")
            : new Uri($"https://{configuration.GetString("deployment")}.api.accelo.com/");
        var pageSize = configuration.GetInt32("page_size", 100);
        if (pageSize is < 1 or > 100)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be between 1 and 100 (Accelo's _limit maximum); got {pageSize}.");
        }

        var fetchers = configuration.GetInt32("fetchers", 5);
        if (fetchers is < 1 or > 32)
        {
            throw new ConfigurationException($"Configuration key 'fetchers' must be between 1 and 32; got {fetchers}.");
        }

        var interval = configuration.GetInt32("checkpoint_interval", 1000);
        if (interval < 1)
        {
            throw new ConfigurationException($"Configuration key 'checkpoint_interval' must be positive; got {interval}.");
        }

        return new AcceloSettings(baseUrl, configuration.GetString("client_id"), pageSize, fetchers, interval);
    }
}

using Tributary.Sdk;

namespace Tributary.Connectors.VeevaVault;

/// <summary>The connector's configuration, validated.</summary>
/// <param name="ApiRoot">The Vault's API root with its version, e.g. <c>https://myvault.veevavault.com/api/v24.2/</c>.</param>
/// <param name="UserName">The Vault user the connector logs in as.</param>
/// <param name="Objects">The objects to sync, one table each.</param>
/// <param name="PageSize">VQL's PAGESIZE.</param>
internal sealed record VeevaVaultSettings(Uri ApiRoot, string UserName, IReadOnlyList<string> Objects, int PageSize)
{
    public static VeevaVaultSettings Read(ConnectorConfiguration configuration)
    {
        // base_url wins (tests, proxies); otherwise the Vault's DNS name, as the Fivetran original's "subdomain".
        var root = configuration.GetString("base_url", "").Length > 0
            ? configuration.GetUri("base_url")
            : new Uri($"https://{configuration.GetString("subdomain")}/");
        var version = configuration.GetString("api_version", "v24.2");
        if (!version.StartsWith('v') || !decimal.TryParse(version[1..], System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new ConfigurationException($"Configuration key 'api_version' must look like v24.2; got '{version}'.");
        }

        var objects = configuration.GetString("objects")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var bad = objects.FirstOrDefault(o => !o.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'));
        if (bad is not null || objects.Length == 0)
        {
            throw new ConfigurationException(
                $"Configuration key 'objects' must list Vault object names like product__v, comma-separated; got '{configuration.GetString("objects")}'.");
        }

        var pageSize = configuration.GetInt32("page_size", 1000);
        if (pageSize is < 1 or > 1000)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be between 1 and 1000; got {pageSize}.");
        }

        return new VeevaVaultSettings(new Uri(root, $"api/{version}/"), configuration.GetString("username"), objects, pageSize);
    }
}

using System.Text.RegularExpressions;
using Tributary.Sdk;

namespace Tributary.Connectors.AzureTableStorage;

/// <summary>How the connector authenticates to the storage account.</summary>
internal enum TableAuthentication
{
    /// <summary>The account name (configuration) and its key (secret <c>account_key</c>): Shared Key.</summary>
    AccountKey,

    /// <summary>A shared access signature (secret <c>sas_token</c>) with read and list (query) permission on the tables.</summary>
    Sas,

    /// <summary>A storage connection string (secret <c>connection_string</c>): endpoint and credential in one.</summary>
    ConnectionString,
}

/// <summary>The connector's configuration, read and validated once.</summary>
internal sealed partial record AzureTableSettings(
    IReadOnlyList<string> Tables,
    TableAuthentication Authentication,
    string? AccountName,
    Uri? Endpoint,
    TimeSpan Overlap,
    TimeSpan? FullRefreshEvery,
    int PageSize)
{
    public static AzureTableSettings Read(ConnectorConfiguration configuration)
    {
        var tables = configuration.GetString("tables")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tables.Length == 0 || tables.FirstOrDefault(t => !TableNamePattern().IsMatch(t)) is { } bad)
        {
            throw new ConfigurationException(
                $"Configuration key 'tables' must list Azure table names separated by commas (3 to 63 letters and digits, starting with a letter); " +
                $"'{configuration.GetString("tables")}' is not such a list.");
        }

        if (tables.Distinct(StringComparer.OrdinalIgnoreCase).Count() != tables.Length)
        {
            throw new ConfigurationException("Configuration key 'tables' lists a table twice (Azure table names ignore case).");
        }

        var authentication = configuration.GetOneOf("authentication", "account_key", "sas", "connection_string") switch
        {
            "sas" => TableAuthentication.Sas,
            "connection_string" => TableAuthentication.ConnectionString,
            _ => TableAuthentication.AccountKey,
        };
        var accountName = configuration.TryGetValue("account_name", out var name) && !string.IsNullOrWhiteSpace(name) ? name.Trim() : null;
        Uri? endpoint = configuration.TryGetValue("table_endpoint", out var url) && !string.IsNullOrWhiteSpace(url)
            ? configuration.GetUri("table_endpoint")
            : accountName is null ? null : new Uri($"https://{accountName}.table.core.windows.net/");
        if (authentication == TableAuthentication.AccountKey && accountName is null)
        {
            throw new ConfigurationException("Configuration key 'account_name' is required with authentication 'account_key': the key signs requests for that account.");
        }

        if (authentication != TableAuthentication.ConnectionString && endpoint is null)
        {
            throw new ConfigurationException(
                "Configuration key 'table_endpoint' (or 'account_name', for https://<account>.table.core.windows.net/) is required unless authentication is 'connection_string'.");
        }

        var overlap = configuration.GetInt32("overlap_seconds", 300);
        if (overlap is < 0 or > 86_400)
        {
            throw new ConfigurationException($"Configuration key 'overlap_seconds' must be from 0 to 86400; got {overlap}.");
        }

        var refreshHours = configuration.GetInt32("full_refresh_hours", 24);
        if (refreshHours < 0)
        {
            throw new ConfigurationException($"Configuration key 'full_refresh_hours' must be 0 (never) or a number of hours; got {refreshHours}.");
        }

        var pageSize = configuration.GetInt32("page_size", 1000);
        if (pageSize is < 1 or > 1000)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be from 1 to 1000 (the service's largest page); got {pageSize}.");
        }

        return new AzureTableSettings(
            tables,
            authentication,
            accountName,
            endpoint,
            TimeSpan.FromSeconds(overlap),
            refreshHours == 0 ? null : TimeSpan.FromHours(refreshHours),
            pageSize);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}

using Tributary.Sdk;

namespace Tributary.Connectors.Smartsheets;

/// <summary>The connector's configuration, validated.</summary>
/// <param name="BaseUrl">The API root, <c>https://api.smartsheet.com/2.0/</c>.</param>
/// <param name="Sheets">Sheet ids and their table names (<c>sheet_&lt;name&gt;</c>).</param>
/// <param name="Reports">Report ids and their table names (<c>report_&lt;name&gt;</c>).</param>
/// <param name="RequestsPerMinute">The rate limit.</param>
/// <param name="PageSize">Rows per page.</param>
internal sealed record SmartsheetSettings(
    Uri BaseUrl,
    IReadOnlyList<(string Id, string Table)> Sheets,
    IReadOnlyList<(string Id, string Table)> Reports,
    int RequestsPerMinute,
    int PageSize)
{
    public static SmartsheetSettings Read(ConnectorConfiguration configuration)
    {
        var baseUrl = configuration.GetUri("base_url", "https://api.smartsheet.com/2.0/");
        var sheets = Items(configuration, "sheets", "sheet");
        var reports = Items(configuration, "reports", "report");
        if (sheets.Count == 0 && reports.Count == 0)
        {
            throw new ConfigurationException("At least one of the configuration keys 'sheets' or 'reports' must list an id:name pair.");
        }

        var rpm = configuration.GetInt32("requests_per_minute", 60);
        if (rpm < 1)
        {
            throw new ConfigurationException($"Configuration key 'requests_per_minute' must be positive; got {rpm}.");
        }

        var pageSize = configuration.GetInt32("page_size", 100);
        if (pageSize is < 1 or > 10000)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be between 1 and 10000; got {pageSize}.");
        }

        return new SmartsheetSettings(baseUrl, sheets, reports, rpm, pageSize);
    }

    // "123:Budget 2024,456:Team Tasks" → (123, sheet_budget_2024), (456, sheet_team_tasks), as the original names tables.
    private static List<(string Id, string Table)> Items(ConnectorConfiguration configuration, string key, string prefix)
    {
        var items = new List<(string, string)>();
        foreach (var item in configuration.GetString(key, "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = item.Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiDigit) || parts[1].Length == 0)
            {
                throw new ConfigurationException($"Configuration key '{key}' must be comma-separated id:name pairs like 4583173393803140:Budget; got '{item}'.");
            }

            items.Add((parts[0], $"{prefix}_{parts[1].ToLowerInvariant().Replace(' ', '_').Replace('-', '_')}"));
        }

        return items;
    }
}

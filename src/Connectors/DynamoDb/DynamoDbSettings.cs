using System.Text.RegularExpressions;
using Tributary.Sdk;

namespace Tributary.Connectors.DynamoDb;

/// <summary>One DynamoDB table to sync and the key attributes it is declared with.</summary>
/// <param name="Name">The DynamoDB table name, also the destination table's name.</param>
/// <param name="Key">The partition key, then the sort key if the table has one.</param>
internal sealed record DynamoDbTable(string Name, IReadOnlyList<string> Key);

/// <summary>The connector's configuration, read and validated once.</summary>
internal sealed partial record DynamoDbSettings(
    IReadOnlyList<DynamoDbTable> Tables,
    string Region,
    Uri? ServiceUrl,
    string? RoleArn,
    int TotalSegments,
    int PageSize,
    bool ConsistentRead,
    bool SoftDeleteMissing)
{
    /// <summary>DynamoDB's largest <c>TotalSegments</c>.</summary>
    public const int MaxSegments = 1_000_000;

    /// <summary>The most segments one sync scans at once here; past that, parallelism only adds throttling.</summary>
    public const int MaxParallelSegments = 64;

    public static DynamoDbSettings Read(ConnectorConfiguration configuration)
    {
        var tables = ParseTables(configuration.GetString("tables"));
        var region = configuration.GetString("region", "us-east-1");
        if (!RegionPattern().IsMatch(region))
        {
            throw new ConfigurationException($"Configuration key 'region' must be an AWS region name such as 'us-east-1'; got '{region}'.");
        }

        var serviceUrl = configuration.TryGetValue("service_url", out var url) && !string.IsNullOrWhiteSpace(url) ? configuration.GetUri("service_url") : null;
        var roleArn = configuration.TryGetValue("role_arn", out var arn) && !string.IsNullOrWhiteSpace(arn) ? arn.Trim() : null;
        if (roleArn is not null && !RoleArnPattern().IsMatch(roleArn))
        {
            throw new ConfigurationException(
                $"Configuration key 'role_arn' must be an IAM role ARN, 'arn:aws:iam::<12-digit account>:role/<name>'; got '{roleArn}'.");
        }

        var segments = configuration.GetInt32("total_segments", 4);
        if (segments is < 1 or > MaxParallelSegments)
        {
            throw new ConfigurationException($"Configuration key 'total_segments' must be from 1 to {MaxParallelSegments}; got {segments}.");
        }

        var pageSize = configuration.GetInt32("page_size", 100);
        if (pageSize is < 1 or > 10_000)
        {
            throw new ConfigurationException($"Configuration key 'page_size' (the Scan Limit) must be from 1 to 10000; got {pageSize}.");
        }

        return new DynamoDbSettings(
            tables,
            region,
            serviceUrl,
            roleArn,
            segments,
            pageSize,
            configuration.GetBoolean("consistent_read", true),
            configuration.GetBoolean("soft_delete_missing", true));
    }

    /// <summary><c>customers:customer_id; orders:customer_id,order_id</c>: tables separated by <c>;</c>, each with its key.</summary>
    private static List<DynamoDbTable> ParseTables(string text)
    {
        var tables = new List<DynamoDbTable>();
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? entry : entry[..colon].Trim();
            var key = colon < 0 ? [] : entry[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (!TableNamePattern().IsMatch(name) || key.Length is < 1 or > 2)
            {
                throw new ConfigurationException(
                    $"Configuration key 'tables' must list tables as 'table:partition_key[,sort_key]' separated by ';' " +
                    $"(for example 'customers:customer_id; orders:customer_id,order_id'); '{entry}' is not one.");
            }

            if (tables.Any(t => t.Name == name))
            {
                throw new ConfigurationException($"Configuration key 'tables' lists '{name}' twice.");
            }

            tables.Add(new DynamoDbTable(name, key));
        }

        return tables.Count > 0
            ? tables
            : throw new ConfigurationException("Configuration key 'tables' lists no table; give at least one as 'table:partition_key[,sort_key]'.");
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex TableNamePattern();
}

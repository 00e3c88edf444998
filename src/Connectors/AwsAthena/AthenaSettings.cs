using Tributary.Sdk;

namespace Tributary.Connectors.AwsAthena;

/// <summary>The configuration both Athena examples share, in the originals' keys, checked before the first request.</summary>
internal sealed record AthenaSettings(Uri Endpoint, string Region, string Database, string OutputLocation, string? WorkGroup, string Table, int PageSize, TimeSpan FirstPoll)
{
    /// <summary>Athena's largest <c>MaxResults</c>.</summary>
    public const int MaxPageSize = 1000;

    public static AthenaSettings Read(ConnectorConfiguration configuration, int defaultPageSize)
    {
        var region = configuration.GetString("region_name");
        if (region.Length == 0 || !region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ConfigurationException($"Configuration key 'region_name' must be an AWS region such as 'us-east-1'; got '{region}'.");
        }

        var staging = configuration.GetString("s3_staging_dir");
        if (!staging.StartsWith("s3://", StringComparison.Ordinal))
        {
            throw new ConfigurationException($"Configuration key 's3_staging_dir' must be an S3 location such as 's3://my-bucket/athena-results/'; got '{staging}'.");
        }

        var table = configuration.GetString("table_name", "test_rows");
        if (table.Length == 0 || !table.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
        {
            throw new ConfigurationException($"Configuration key 'table_name' must be a table name (letters, digits, '_', '.'); got '{table}'.");
        }

        var pageSize = configuration.GetInt32("page_size", defaultPageSize);
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be from 1 to {MaxPageSize}; got {pageSize}.");
        }

        var firstPoll = configuration.GetInt32("poll_interval_ms", 1000);
        if (firstPoll < 1)
        {
            throw new ConfigurationException($"Configuration key 'poll_interval_ms' must be positive; got {firstPoll}.");
        }

        var workGroup = configuration.GetString("workgroup", string.Empty);
        return new AthenaSettings(
            configuration.GetUri("base_url", $"https://athena.{region}.amazonaws.com/"),
            region,
            configuration.GetString("database_name"),
            staging,
            workGroup.Length == 0 ? null : workGroup,
            table,
            pageSize,
            TimeSpan.FromMilliseconds(firstPoll));
    }
}

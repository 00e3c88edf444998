using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.RecordsWithNoCreatedAtTimestamp;

/// <summary>
/// Records without a <c>created_at</c>: the source overwrites a user in place and only says when it was last updated. With
/// <c>updated_at</c> in the primary key, each version the connector sees becomes a row of its own, so the destination keeps
/// the history the source throws away; when a version was first seen is its <c>_tributary_synced</c>.
/// </summary>
[Connector("records_with_no_created_at_timestamp", Description = "Keeps every version of records that have no created_at, keyed by id and updated_at.")]
public sealed partial class RecordsWithNoCreatedAtTimestampConnector : Connector
{
    private const string Table = "user";
    private const string DefaultBaseUrl = "http://127.0.0.1:5001/";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["id", "updated_at"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["id"] = ColumnType.Int,
                ["updated_at"] = ColumnType.UtcDateTime,
                ["first_name"] = ColumnType.String,
                ["last_name"] = ColumnType.String,
                ["designation"] = ColumnType.String,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var pageSize = configuration.GetInt32("page_size", 100);
        if (pageSize < 1)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be a positive integer; got {pageSize}.");
        }

        var baseUrl = configuration.GetUri("base_url", DefaultBaseUrl);
        var options = new RestClientOptions { BaseAddress = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/") };
        using var client = new RestClient(context, options);

        var state = context.ReadState<NoCreatedAtState>();
        var request = new RestRequest("v1/users") { RecordsPath = "users" };
        if (state.LastUpdatedAt is not null)
        {
            // Inclusive: a version at the cursor's time is read again and lands on the row it already has.
            request.Query["updated_since"] = state.LastUpdatedAt;
        }

        var paginator = new PageNumberPaginator { PageSizeParameter = "per_page", PageSize = pageSize, TotalPagesPath = "total_pages" };
        var versions = 0;
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            foreach (var user in page.Records)
            {
                // Upserted under (id, updated_at): a new updated_at is a new row, the earlier versions stay as they were.
                await context.UpsertAsync(Table, user, cancellationToken);
            }

            versions += page.Count;
            if (page.LastRecord?["updated_at"]?.GetValue<string>() is { } last)
            {
                state.LastUpdatedAt = DateTimeOffset.Parse(last, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                    .UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                await context.CheckpointAsync(state, cancellationToken);
            }
        }

        LogSynced(context.Logger, versions, state.LastUpdatedAt);
        await context.CheckpointAsync(state, cancellationToken);
    }

    [LoggerMessage(EventId = 2350, Level = LogLevel.Information, Message = "Read {Versions} user versions; the cursor is {LastUpdatedAt}")]
    private static partial void LogSynced(ILogger logger, int versions, string? lastUpdatedAt);
}

/// <summary>Where the next sync starts: the <c>updated_at</c> of the last version read.</summary>
internal sealed class NoCreatedAtState
{
    [JsonPropertyName("last_updated_at")]
    public string? LastUpdatedAt { get; set; }
}

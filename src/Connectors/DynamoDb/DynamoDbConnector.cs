using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.DynamoDb;

/// <summary>
/// DynamoDB tables, each read by a parallel scan (<c>Segment</c>/<c>TotalSegments</c>) whose segments keep their own resume
/// point (<c>LastEvaluatedKey</c>) in state, so a paused or killed sync picks every segment up where it left off. A completed
/// scan is recorded; each sync runs a new one. Items deleted in the source are soft-deleted: a new scan starts with a
/// truncate and every item it reads revives its row, so what stays deleted is what the scan no longer found.
/// </summary>
[Connector("dynamo_db", Description = "DynamoDB tables by a parallel scan whose segments each resume from their own LastEvaluatedKey in state; access keys or an assumed role.")]
public sealed partial class DynamoDbConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        DynamoDbSettings.Read(configuration).Tables.Select(t => new TableDefinition(t.Name) { PrimaryKey = t.Key });

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = DynamoDbSettings.Read(context.Configuration);
        var state = context.ReadState<DynamoDbState>();
        using var client = await DynamoDbClientFactory.CreateAsync(context, settings, cancellationToken);

        await LogUnconfiguredTablesAsync(context, client, settings, cancellationToken);
        foreach (var table in settings.Tables)
        {
            await VerifyKeyAsync(client, table, cancellationToken);
            if (!state.Tables.TryGetValue(table.Name, out var scan))
            {
                state.Tables[table.Name] = scan = new TableScanState();
            }

            if (scan.InProgress)
            {
                var open = scan.Segments!.Count(s => !s.Done);
                LogResume(context.Logger, table.Name, open, scan.TotalSegments!.Value);
            }
            else
            {
                if (settings.SoftDeleteMissing)
                {
                    // Every row is marked deleted; each item this scan reads revives its row. A kill before the first
                    // checkpoint replays the truncate, which changes nothing the rerun does not redo.
                    await context.TruncateAsync(table.Name, cancellationToken);
                }

                scan.TotalSegments = settings.TotalSegments;
                scan.Segments = [.. Enumerable.Range(0, settings.TotalSegments).Select(_ => new SegmentState())];
                scan.ScanStartedAt = Now(context);
                scan.ScanItems = 0;
                LogStart(context.Logger, table.Name, settings.TotalSegments, settings.PageSize);
            }

            using (var segmented = new SegmentedScan(context, client, settings, state, table))
            {
                await segmented.RunAsync(cancellationToken);
            }

            scan.TotalSegments = null;
            scan.Segments = null;
            scan.ScanStartedAt = null;
            scan.LastCompletedScanAt = Now(context);
            scan.CompletedScans++;
            scan.LastScanItems = scan.ScanItems;
            scan.ScanItems = 0;
            await context.CheckpointAsync(state, cancellationToken);
            LogCompleted(context.Logger, table.Name, scan.LastScanItems, scan.CompletedScans);
        }
    }

    /// <summary>The configured key must be the table's key schema (partition key, then sort key): rows are merged on it.</summary>
    private static async Task VerifyKeyAsync(AmazonDynamoDBClient client, DynamoDbTable table, CancellationToken cancellationToken)
    {
        var description = await DynamoDbClientFactory.CallAsync(
            () => client.DescribeTableAsync(new DescribeTableRequest { TableName = table.Name }, cancellationToken), $"DescribeTable {table.Name}");
        var actual = (description.Table.KeySchema ?? [])
            .OrderBy(k => k.KeyType == KeyType.HASH ? 0 : 1)
            .Select(k => k.AttributeName)
            .ToList();
        if (!actual.SequenceEqual(table.Key, StringComparer.Ordinal))
        {
            throw new ConfigurationException(
                $"Configuration key 'tables' gives {table.Name} the key ({string.Join(", ", table.Key)}), but its key schema in DynamoDB is " +
                $"({string.Join(", ", actual)}); write it as '{table.Name}:{string.Join(',', actual)}'.");
        }
    }

    /// <summary>As the original lists every table; here the configured ones are synced and the others named in the log.</summary>
    private static async Task LogUnconfiguredTablesAsync(SyncContext context, AmazonDynamoDBClient client, DynamoDbSettings settings, CancellationToken cancellationToken)
    {
        var others = new List<string>();
        string? start = null;
        do
        {
            var request = new ListTablesRequest { ExclusiveStartTableName = start };
            var page = await DynamoDbClientFactory.CallAsync(() => client.ListTablesAsync(request, cancellationToken), "ListTables");
            others.AddRange((page.TableNames ?? []).Where(name => settings.Tables.All(t => t.Name != name)));
            start = page.LastEvaluatedTableName;
        }
        while (start is not null);

        if (others.Count > 0)
        {
            var names = string.Join(", ", others.Take(20));
            LogUnconfigured(context.Logger, others.Count, names);
        }
    }

    private static string Now(SyncContext context) =>
        context.TimeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 2650, Level = LogLevel.Information, Message = "{Table}: new full scan in {TotalSegments} segments of {PageSize}-item pages")]
    private static partial void LogStart(ILogger logger, string table, int totalSegments, int pageSize);

    [LoggerMessage(EventId = 2651, Level = LogLevel.Information, Message = "{Table}: resuming the scan in progress, {Open} of {TotalSegments} segments left")]
    private static partial void LogResume(ILogger logger, string table, int open, int totalSegments);

    [LoggerMessage(EventId = 2653, Level = LogLevel.Information, Message = "{Table}: full scan {Scans} completed, {Items} items")]
    private static partial void LogCompleted(ILogger logger, string table, long items, int scans);

    [LoggerMessage(EventId = 2654, Level = LogLevel.Information, Message = "{Count} DynamoDB tables are not in 'tables' and are not synced: {Tables}")]
    private static partial void LogUnconfigured(ILogger logger, int count, string tables);
}

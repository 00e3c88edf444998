using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.AzureTableStorage;

/// <summary>
/// Azure Table Storage tables, keyed by <c>PartitionKey</c> and <c>RowKey</c>, read incrementally by the entity
/// <c>Timestamp</c>: each read asks for <c>Timestamp ge watermark − overlap</c> (ties and the service's clock skew are
/// re-read, and the upsert makes the re-read harmless), pages follow the continuation token, which is checkpointed after
/// every page. A periodic full read, started by a truncate, finds the entities deleted in the source.
/// </summary>
[Connector("azure_table_storage", Description = "Azure Table Storage by entity Timestamp with an overlap window, continuation tokens checkpointed, periodic full reads for deletes.")]
public sealed partial class AzureTableStorageConnector : Connector
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        AzureTableSettings.Read(configuration).Tables.Select(t => new TableDefinition(t)
        {
            PrimaryKey = ["PartitionKey", "RowKey"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["PartitionKey"] = ColumnType.String,
                ["RowKey"] = ColumnType.String,
                ["Timestamp"] = ColumnType.UtcDateTime,
            },
        });

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = AzureTableSettings.Read(context.Configuration);
        var state = context.ReadState<AzureTableState>();
        var service = await AzureTableClients.CreateAsync(context, settings, cancellationToken);
        foreach (var table in settings.Tables)
        {
            if (!state.Tables.TryGetValue(table, out var cursor))
            {
                state.Tables[table] = cursor = new TableCursor();
            }

            try
            {
                await SyncTableAsync(context, service.GetTableClient(table), settings, state, cursor, cancellationToken);
            }
            catch (RequestFailedException ex) when (AzureTableClients.Translate(ex, $"table {table}", settings.Authentication) is { } translated)
            {
                throw translated;
            }
        }
    }

    private static async Task SyncTableAsync(
        SyncContext context, TableClient client, AzureTableSettings settings, AzureTableState state, TableCursor cursor, CancellationToken cancellationToken)
    {
        var now = context.TimeProvider.GetUtcNow();
        if (cursor.Read is null)
        {
            var full = cursor.Watermark is null
                || (settings.FullRefreshEvery is { } every && (cursor.LastFullReadAt is null || now - Parse(cursor.LastFullReadAt) >= every));
            cursor.Read = new TableRead
            {
                Full = full,
                From = full ? null : Format(Parse(cursor.Watermark!) - settings.Overlap),
                StartedAt = Format(now),
            };
            if (full)
            {
                // Every row is marked deleted; each entity this read returns revives its row, so what stays deleted is
                // what the source no longer has. A kill before the first checkpoint replays the truncate harmlessly.
                await context.TruncateAsync(client.Name, cancellationToken);
            }

            LogStart(context.Logger, client.Name, full ? "full" : "incremental", cursor.Read.From ?? "-");
        }
        else
        {
            LogResume(context.Logger, client.Name, cursor.Read.Full ? "full" : "incremental", cursor.Read.Entities);
        }

        var read = cursor.Read;
        var filter = read.From is { } from ? TableClient.CreateQueryFilter($"Timestamp ge {Parse(from)}") : null;
        var pages = client.QueryAsync<TableEntity>(filter, settings.PageSize, cancellationToken: cancellationToken)
            .AsPages(read.Continuation, settings.PageSize);
        await foreach (var page in pages)
        {
            foreach (var entity in page.Values)
            {
                await context.UpsertAsync(client.Name, TableEntities.ToRow(entity), cancellationToken);
                if (entity.Timestamp is { } timestamp && (read.MaxTimestamp is null || timestamp > Parse(read.MaxTimestamp)))
                {
                    read.MaxTimestamp = Format(timestamp);
                }
            }

            read.Entities += page.Values.Count;
            read.Continuation = page.ContinuationToken;
            if (read.Continuation is null)
            {
                Complete(cursor, read);
                LogCompleted(context.Logger, client.Name, read.Entities, cursor.Watermark!);
            }

            await context.CheckpointAsync(state, cancellationToken);
            if (cursor.Read is null)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The new watermark: the latest Timestamp read, but never past the read's start. An entity changed while the query ran,
    /// in a part of the table it had already passed, has a Timestamp after the start and is read next time; one changed
    /// before the start was returned by this read. The overlap window covers the gap between this clock and the service's.
    /// </summary>
    private static void Complete(TableCursor cursor, TableRead read)
    {
        var started = Parse(read.StartedAt);
        var reached = read.MaxTimestamp is { } max && Parse(max) < started ? Parse(max) : started;
        if (cursor.Watermark is null || reached > Parse(cursor.Watermark))
        {
            cursor.Watermark = Format(reached);
        }

        if (read.Full)
        {
            cursor.LastFullReadAt = read.StartedAt;
        }

        cursor.Read = null;
    }

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 2670, Level = LogLevel.Information, Message = "{Table}: {Kind} read from Timestamp {From}")]
    private static partial void LogStart(ILogger logger, string table, string kind, string from);

    [LoggerMessage(EventId = 2671, Level = LogLevel.Information, Message = "{Table}: resuming the {Kind} read in progress after {Entities} entities")]
    private static partial void LogResume(ILogger logger, string table, string kind, long entities);

    [LoggerMessage(EventId = 2672, Level = LogLevel.Information, Message = "{Table}: read complete, {Entities} entities, watermark {Watermark}")]
    private static partial void LogCompleted(ILogger logger, string table, long entities, string watermark);
}

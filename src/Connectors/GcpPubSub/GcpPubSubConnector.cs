using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.GcpPubSub;

/// <summary>
/// Messages of a Pub/Sub subscription, acknowledged only once they are in the destination: each pulled batch is upserted
/// (keyed by message id), checkpointed, and only after <see cref="SyncContext.CheckpointAndWaitAsync"/> has returned (the batch
/// is committed) acknowledged.
/// A sync that dies before its checkpoint acknowledges nothing; Pub/Sub delivers those messages again once their ack
/// deadline passes, and the upsert by message id keeps the table exact. The subscription is the cursor, so the state stays empty.
/// </summary>
[Connector("gcp_pub_sub", Description = "A Pub/Sub subscription over its REST API with a service account token: messages acknowledged only after the checkpoint that covers them.")]
public sealed partial class GcpPubSubConnector : Connector
{
    private const string Table = "sample_table";
    private const int MaxPull = 1000;

    /// <summary>How long acknowledging a paused sync's last batch may take after the sync was told to stop.</summary>
    private static readonly TimeSpan AckOnPauseTimeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Table) { PrimaryKey = ["key"], Columns = new Dictionary<string, ColumnType> { ["key"] = ColumnType.String, ["timestamp"] = ColumnType.UtcDateTime } }];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var subscription = context.Configuration.GetString("subscription_name");
        if (subscription.Length == 0 || subscription.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '+' or '%')))
        {
            throw new ConfigurationException($"Configuration key 'subscription_name' must be a subscription id (letters, digits, - _ . ~ + %); got '{subscription}'.");
        }

        var maxMessages = context.Configuration.GetInt32("max_messages", 100);
        if (maxMessages is < 1 or > MaxPull)
        {
            throw new ConfigurationException($"Configuration key 'max_messages' must be from 1 to {MaxPull}; got {maxMessages}.");
        }

        var token = ServiceAccountToken.FromKey(await context.GetSecretAsync("service_key", cancellationToken), context.TimeProvider);
        using var pubsub = new PubSubClient(context, context.Configuration.GetUri("base_url", "https://pubsub.googleapis.com/"), token, subscription);

        var total = 0;
        while (true)
        {
            var batch = await pubsub.PullAsync(maxMessages, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var message in batch)
            {
                await context.UpsertAsync(Table, Row(message), cancellationToken);
            }

            var ackIds = batch.Select(m => m.AckId).ToList();
            try
            {
                await context.CheckpointAndWaitAsync(context.State, cancellationToken);
            }
            catch (SyncPausedException)
            {
                // The time budget is spent: this checkpoint committed the batch and pauses the sync. Acknowledge it before
                // stopping (the sync's token is cancelled by now, so on a short timeout of its own); if that fails, Pub/Sub
                // redelivers the batch to the continuation and the upsert absorbs it.
                await AcknowledgeOnPauseAsync(context, pubsub, ackIds);
                throw;
            }

            await pubsub.AcknowledgeAsync(ackIds, cancellationToken);
            total += batch.Count;
            LogBatch(context.Logger, batch.Count, subscription);
            if (batch.Count < maxMessages)
            {
                break;
            }
        }

        LogSynced(context.Logger, total, subscription);
    }

    /// <summary>The message's JSON fields (a payload that is not a JSON object goes whole into <c>data</c>) and its id as <c>key</c>.</summary>
    private static JsonObject Row(PulledMessage message)
    {
        JsonObject row;
        try
        {
            row = JsonNode.Parse(message.Data) as JsonObject ?? new JsonObject { ["data"] = message.Data };
        }
        catch (JsonException)
        {
            row = new JsonObject { ["data"] = message.Data };
        }

        row["key"] = message.MessageId;
        return row;
    }

    private static async Task AcknowledgeOnPauseAsync(SyncContext context, PubSubClient pubsub, List<string> ackIds)
    {
        using var timeout = new CancellationTokenSource(AckOnPauseTimeout, context.TimeProvider);
        try
        {
            await pubsub.AcknowledgeAsync(ackIds, timeout.Token);
            LogAcknowledgedOnPause(context.Logger, ackIds.Count);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAckOnPauseFailed(context.Logger, ackIds.Count, ex.Message);
        }
    }

    [LoggerMessage(EventId = 2750, Level = LogLevel.Information, Message = "Synced and acknowledged {Count} messages of {Subscription}")]
    private static partial void LogBatch(ILogger logger, int count, string subscription);

    [LoggerMessage(EventId = 2751, Level = LogLevel.Information, Message = "Synced {Count} messages of {Subscription}; nothing more to deliver now")]
    private static partial void LogSynced(ILogger logger, int count, string subscription);

    [LoggerMessage(EventId = 2752, Level = LogLevel.Information, Message = "Paused: acknowledged the {Count} messages of the pausing checkpoint")]
    private static partial void LogAcknowledgedOnPause(ILogger logger, int count);

    [LoggerMessage(EventId = 2753, Level = LogLevel.Warning, Message = "Paused: acknowledging the {Count} messages of the pausing checkpoint failed ({Error}); Pub/Sub will redeliver them")]
    private static partial void LogAckOnPauseFailed(ILogger logger, int count, string error);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.Webhook;

/// <summary>
/// Events pushed by the source: each verified webhook delivery's JSON events are upserted into <c>event</c> by their
/// <c>id</c>, and the time of the last delivery is checkpointed. A scheduled sync has nothing to read.
/// </summary>
[Connector("webhook_events", Description = "Upserts the JSON events of each webhook delivery into the table event.")]
public sealed partial class WebhookEventsConnector : Connector
{
    /// <summary>The table the events land in.</summary>
    public const string Table = "event";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Table) { PrimaryKey = ["id"] }];

    /// <inheritdoc />
    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The source pushes its events; there is nothing to pull.
        LogNothingToPull(context.Logger, context.State["last_delivery_at"]);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task HandleWebhookAsync(WebhookContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var events = Events(context.Body);
        foreach (var item in events)
        {
            await context.UpsertAsync(Table, item, cancellationToken);
        }

        // The checkpoint commits the events before the sender gets its answer.
        await context.CheckpointAsync(new { last_delivery_at = context.TimeProvider.GetUtcNow() }, cancellationToken);
        LogDelivered(context.Logger, events.Count);
    }

    /// <summary>The events of a body: a JSON array of event objects, or one event object; each has an <c>id</c>.</summary>
    /// <exception cref="InvalidDataException">The body is not that.</exception>
    internal static IReadOnlyList<JsonObject> Events(ReadOnlyMemory<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.Span);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The delivery is not JSON: {ex.Message}", ex);
        }

        var events = root switch
        {
            JsonObject single => [single],
            JsonArray array => array.Select((node, i) => node as JsonObject
                ?? throw new InvalidDataException($"Event {i} of the delivery is not a JSON object.")).ToList(),
            _ => throw new InvalidDataException("The delivery is neither a JSON object nor an array of them."),
        };

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i]["id"] is null)
            {
                throw new InvalidDataException($"Event {i} of the delivery has no 'id'.");
            }
        }

        return events;
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Events arrive by webhook; nothing to pull (last delivery at {LastDeliveryAt})")]
    private static partial void LogNothingToPull(ILogger logger, JsonNode? lastDeliveryAt);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Delivery of {Count} event(s) upserted")]
    private static partial void LogDelivered(ILogger logger, int count);
}

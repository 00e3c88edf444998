using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Api;

/// <summary>
/// Runs the connector's <see cref="Connector.HandleWebhookAsync"/> on a verified delivery, inline and through the engine like a
/// sync: under the connector's lease, what it emits committed, its checkpoints saving state, a run record with trigger
/// <c>webhook</c>; stopped after <see cref="WebhookSettings.HandlerTimeout"/>. Then, when the handler asked for one, a sync is
/// queued (or, when a sync is queued already, that one is named). A connector that does not override the handler is not run:
/// the default only asks for a sync, so the sync is queued at once, with no lease and no run record.
/// Answers: 202 with the handler's run and the queued sync; 503 with <c>Retry-After</c> while another run holds the lease, or
/// when the handler ran out of time (what it committed stays; a redelivery converges); 500 when the handler failed (its error
/// is in its run record, not in the answer).
/// </summary>
internal sealed partial class ConnectorWebhookHandler(
    ConnectionDirectory connections,
    IConnectorRunFactory runs,
    BlobStateStore store,
    RunQueue queue,
    QueuedSyncOptions queueOptions,
    IOptions<TributaryHostOptions> options,
    TimeProvider time,
    ILogger<ConnectorWebhookHandler> logger) : IWebhookHandler
{
    /// <summary>The trigger recorded on the handler's run and on the syncs it queues.</summary>
    public const string Trigger = "webhook";

    public async Task<IActionResult> HandleAsync(HttpRequest request, string connector, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        if (!HandlesWebhooks(connections.CreateConnector(connector).GetType()))
        {
            var syncId = await QueueSyncAsync(connector, cancellationToken);
            LogSyncQueued(logger, connector, syncId, delivery.Body.Length);
            return Accepted(request, connector, runId: null, syncId);
        }

        var settings = options.Value.Webhooks;
        WebhookRunResult result;
        await using (var run = await runs.CreateAsync(connector, cancellationToken))
        {
            var handlerRequest = run.Request with { Trigger = Trigger, TimeBudget = null, HardDeadline = settings.HandlerTimeout };
            try
            {
                result = await run.Runner.HandleWebhookAsync(handlerRequest, delivery, cancellationToken);
            }
            catch (ConnectorBusyException)
            {
                LogBusy(logger, connector);
                return Problems.Unavailable(
                    "Connector is running",
                    $"Connector '{connector}' is running now, and its webhook handler never runs beside it. Deliver again in {Problems.Seconds(settings.RetryAfter)} seconds.",
                    settings.RetryAfter);
            }
        }

        var record = result.Run;
        switch (record.Outcome)
        {
            case RunOutcome.Succeeded:
                var syncId = result.SyncRequested ? await QueueSyncAsync(connector, cancellationToken) : null;
                LogHandled(logger, connector, record.Id, record.Total(static t => t.Upserts), syncId ?? "none");
                return Accepted(request, connector, record.Id, syncId);

            case RunOutcome.TimedOut or RunOutcome.Paused:
                LogTooSlow(logger, connector, record.Id, settings.HandlerTimeout);
                return Problems.Unavailable(
                    "Webhook handler ran out of time",
                    $"Run {record.Id} of connector '{connector}' did not handle the delivery within {settings.HandlerTimeout}; what it committed is kept. " +
                    $"Deliver again in {Problems.Seconds(settings.RetryAfter)} seconds.",
                    settings.RetryAfter);

            default:
                LogFailed(logger, connector, record.Id);
                return Problems.Create(
                    StatusCodes.Status500InternalServerError,
                    "Webhook handler failed",
                    $"Run {record.Id} of connector '{connector}' failed to handle the delivery; its error is in the run record: " +
                    SyncIds.StatusUrl(request, connector, record.SyncId));
        }
    }

    /// <summary>Whether the connector type overrides <see cref="Connector.HandleWebhookAsync"/>.</summary>
    internal static bool HandlesWebhooks(Type connector) =>
        connector.GetMethod(nameof(Connector.HandleWebhookAsync), [typeof(WebhookContext), typeof(CancellationToken)])?.DeclaringType != typeof(Connector);

    // Queues a webhook sync and returns its id; when a sync of the connector is queued already, returns that one's id instead.
    private async Task<string> QueueSyncAsync(string connector, CancellationToken cancellationToken)
    {
        var syncId = SyncIds.New(time);
        if (await store.TryReserveRunAsync(connector, syncId, queueOptions.ReservationStaleAfter, cancellationToken) is { } queued)
        {
            return queued;
        }

        try
        {
            await queue.EnqueueAsync(new RunMessage(connector, Trigger, syncId) { RequestedAt = time.GetUtcNow() }, cancellationToken);
        }
        catch
        {
            await store.ReleaseRunReservationAsync(connector, syncId, CancellationToken.None);
            throw;
        }

        return syncId;
    }

    // The status URL names the queued sync when there is one, otherwise the handler's own run.
    private static AcceptedResult Accepted(HttpRequest request, string connector, string? runId, string? syncId)
    {
        var status = SyncIds.StatusUrl(request, connector, (syncId ?? runId)!);
        return new AcceptedResult(status, new WebhookAccepted(connector, runId, syncId, status));
    }

    [LoggerMessage(3110, LogLevel.Information, "Webhook for {Connector} ({Bytes} bytes) verified; sync {SyncId} is queued for it")]
    private static partial void LogSyncQueued(ILogger logger, string connector, string syncId, int bytes);

    [LoggerMessage(3111, LogLevel.Information, "Webhook for {Connector} handled by run {RunId}: {Upserts} upserts; sync queued: {SyncId}")]
    private static partial void LogHandled(ILogger logger, string connector, string runId, long upserts, string syncId);

    [LoggerMessage(3112, LogLevel.Warning, "Webhook for {Connector} refused: a run holds its lease")]
    private static partial void LogBusy(ILogger logger, string connector);

    [LoggerMessage(3113, LogLevel.Warning, "Webhook handler run {RunId} of {Connector} did not finish within {Timeout}")]
    private static partial void LogTooSlow(ILogger logger, string connector, string runId, TimeSpan timeout);

    [LoggerMessage(3114, LogLevel.Error, "Webhook handler run {RunId} of {Connector} failed; see its run record")]
    private static partial void LogFailed(ILogger logger, string connector, string runId);
}

/// <summary>The answer to a handled webhook delivery.</summary>
/// <param name="Connector">The connector.</param>
/// <param name="RunId">The handler's run; <see langword="null"/> when the connector has no handler of its own and a sync was queued instead.</param>
/// <param name="SyncId">The sync queued for the delivery (or the one already queued that covers it); <see langword="null"/> when none was asked for.</param>
/// <param name="Status">The status URL of that sync, or else of the handler's run.</param>
public sealed record WebhookAccepted(string Connector, string? RunId, string? SyncId, string Status);

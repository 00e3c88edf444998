using System.Globalization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.HubSpot;

/// <summary>
/// Event occurrences from HubSpot's events API (<c>/events/v3/events/</c>), one table per event type, read in a time
/// window from the last sync's end to now and paged with HubSpot's <c>after</c> cursor, which is checkpointed after
/// every page so an interrupted sync resumes at the page where it stopped.
/// </summary>
[Connector("hubspot", Description = "HubSpot event occurrences by event type in a time window, paged by the after cursor.")]
public sealed partial class HubSpotConnector : Connector
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        HubSpotSettings.Read(configuration).EventTypes.Select(type => new TableDefinition(type) { PrimaryKey = ["id"] });

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = HubSpotSettings.Read(context.Configuration);
        var state = context.ReadState<HubSpotState>();

        // A window left unfinished by the last run is finished first, with its own end and cursor.
        var start = state.StartDate ?? settings.InitialSyncStartDate;
        var end = state.Window?.OccurredBefore ?? context.TimeProvider.GetUtcNow().ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture);
        var resume = state.Window;
        if (resume is not null)
        {
            LogResuming(context.Logger, resume.EventType, end);
        }

        var token = await context.GetSecretAsync("api_token", cancellationToken);
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = settings.BaseUrl,
            Authenticator = new BearerAuthenticator(token),
        });

        var types = settings.EventTypes;
        var first = resume is null ? 0 : Math.Max(0, types.ToList().IndexOf(resume.EventType));
        for (var i = first; i < types.Count; i++)
        {
            var eventType = types[i];
            var request = new RestRequest("events/v3/events/") { RecordsPath = "results" };
            request.Query["eventType"] = eventType;
            request.Query["occurredAfter"] = start;
            request.Query["occurredBefore"] = end;
            request.Query["limit"] = settings.PageSize.ToString(CultureInfo.InvariantCulture);
            if (resume is not null && resume.EventType == eventType && resume.After is not null)
            {
                request.Query["after"] = resume.After;
            }

            var paginator = new KeysetPaginator { CursorParameter = "after", CursorPath = "paging.next.after" };
            await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
            {
                foreach (var occurrence in page.Records)
                {
                    await context.UpsertAsync(eventType, EventRows.Flatten(occurrence), cancellationToken);
                }

                // The next page's cursor, or the next event type from its first page; the window's end stays fixed
                // until the last type is read, so a resumed cursor reads the same result set.
                var after = page.Envelope["paging"]?["next"]?["after"]?.GetValue<string>();
                state.Window = after is not null
                    ? new HubSpotWindow { EventType = eventType, After = after, OccurredBefore = end }
                    : i + 1 < types.Count ? new HubSpotWindow { EventType = types[i + 1], OccurredBefore = end } : null;
                if (state.Window is null)
                {
                    state.StartDate = end;
                }

                await context.CheckpointAsync(state, cancellationToken);
            }

            LogEventTypeDone(context.Logger, eventType, start, end);
        }

        state.StartDate = end;
        state.Window = null;
        await context.CheckpointAsync(state, cancellationToken);
    }

    [LoggerMessage(EventId = 2410, Level = LogLevel.Information, Message = "Resuming the window ending {OccurredBefore} at event type {EventType}")]
    private static partial void LogResuming(ILogger logger, string eventType, string occurredBefore);

    [LoggerMessage(EventId = 2411, Level = LogLevel.Information, Message = "Event type {EventType} is synced from {OccurredAfter} to {OccurredBefore}")]
    private static partial void LogEventTypeDone(ILogger logger, string eventType, string occurredAfter, string occurredBefore);
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.TimeWindow;

/// <summary>
/// A time-window cursor: the first sync walks from a fixed start to now in 30-day windows, one checkpoint
/// per window; later syncs read one window, from where the last ended to now.
/// </summary>
[Connector("time_window", Description = "Reads from 2024-06-01 to now in 30-day windows, checkpointing after each.")]
public sealed partial class TimeWindowConnector : Connector
{
    private const string Table = "timestamps";
    private const string ToTimestampKey = "to_timestamp";

    /// <summary>Where the first sync starts.</summary>
    internal static readonly DateTimeOffset InitialSyncStart = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The longest window one request covers.</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // The sync reads up to the moment it started, to the millisecond like the timestamps it stores.
        var now = context.TimeProvider.GetUtcNow();
        var syncStart = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));

        var from = context.State[ToTimestampKey] is { } saved ? ParseTimestamp(saved.GetValue<string>()) : InitialSyncStart;
        LogSyncing(context.Logger, from, syncStart);

        while (true)
        {
            // A window older than Window ends Window later; the last window ends when the sync started.
            var to = from < syncStart - Window ? from + Window : syncStart;

            // Here a real connector would call its API with from and to.
            await context.UpsertAsync(
                Table,
                new { message = $"from {FormatTimestamp(from)} to {FormatTimestamp(to)}" },
                cancellationToken);

            // One checkpoint per window: an interrupted first sync resumes at the next window.
            await context.CheckpointAsync(new JsonObject { [ToTimestampKey] = FormatTimestamp(to) }, cancellationToken);

            if (to >= syncStart)
            {
                break;
            }

            from = to;
        }
    }

    /// <summary>ISO-8601 UTC with milliseconds, <c>2024-06-01T00:00:00.000Z</c>.</summary>
    internal static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    [LoggerMessage(EventId = 1800, Level = LogLevel.Debug, Message = "Reading from {From} until {SyncStart}")]
    private static partial void LogSyncing(ILogger logger, DateTimeOffset from, DateTimeOffset syncStart);
}

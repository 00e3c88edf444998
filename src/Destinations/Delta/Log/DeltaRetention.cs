using System.Globalization;

namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// How long a table keeps what older versions need: removed files' tombstones (<c>delta.deletedFileRetentionDuration</c>,
/// a week by default) and log entries (<c>delta.logRetentionDuration</c>, 30 days by default).
/// </summary>
internal static class DeltaRetention
{
    /// <summary>The protocol's default retention of tombstones, and vacuum's.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromDays(7);

    /// <summary>The default retention of log entries (commits and checkpoints), as in the reference implementation.</summary>
    public static readonly TimeSpan LogDefault = TimeSpan.FromDays(30);

    /// <summary>
    /// The tombstone retention of a table: <c>delta.deletedFileRetentionDuration</c> when it reads as
    /// <c>interval &lt;n&gt; &lt;unit&gt;</c> (weeks, days, hours, minutes or seconds), else <see cref="Default"/>.
    /// </summary>
    public static TimeSpan Tombstones(DeltaMetadata metadata) => Interval(metadata, "delta.deletedFileRetentionDuration", Default);

    /// <summary>
    /// The log retention of a table: <c>delta.logRetentionDuration</c> when it reads as <c>interval &lt;n&gt; &lt;unit&gt;</c>,
    /// else <see cref="LogDefault"/>.
    /// </summary>
    public static TimeSpan Log(DeltaMetadata metadata) => Interval(metadata, "delta.logRetentionDuration", LogDefault);

    /// <summary>Whether expired log entries may be deleted: unless <c>delta.enableExpiredLogCleanup</c> is <c>false</c>.</summary>
    public static bool LogCleanupEnabled(DeltaMetadata metadata) =>
        !(metadata.Configuration.TryGetValue("delta.enableExpiredLogCleanup", out var text) && string.Equals(text.Trim(), "false", StringComparison.OrdinalIgnoreCase));

    private static TimeSpan Interval(DeltaMetadata metadata, string key, TimeSpan fallback)
    {
        if (!metadata.Configuration.TryGetValue(key, out var text))
        {
            return fallback;
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !string.Equals(parts[0], "interval", StringComparison.OrdinalIgnoreCase)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return fallback;
        }

        return parts[2].ToUpperInvariant().TrimEnd('S') switch
        {
            "WEEK" => TimeSpan.FromDays(7 * count),
            "DAY" => TimeSpan.FromDays(count),
            "HOUR" => TimeSpan.FromHours(count),
            "MINUTE" => TimeSpan.FromMinutes(count),
            "SECOND" => TimeSpan.FromSeconds(count),
            _ => fallback,
        };
    }
}

using System.Globalization;

namespace Tributary.Destinations.Delta.Log;

/// <summary>How long a removed file's tombstone is kept: the table's <c>delta.deletedFileRetentionDuration</c>, else a week.</summary>
internal static class DeltaRetention
{
    /// <summary>The protocol's default retention of tombstones, and vacuum's.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromDays(7);

    /// <summary>
    /// The tombstone retention of a table: <c>delta.deletedFileRetentionDuration</c> when it reads as
    /// <c>interval &lt;n&gt; &lt;unit&gt;</c> (weeks, days, hours, minutes or seconds), else <see cref="Default"/>.
    /// </summary>
    public static TimeSpan Tombstones(DeltaMetadata metadata)
    {
        if (!metadata.Configuration.TryGetValue("delta.deletedFileRetentionDuration", out var text))
        {
            return Default;
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !string.Equals(parts[0], "interval", StringComparison.OrdinalIgnoreCase)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return Default;
        }

        return parts[2].ToUpperInvariant().TrimEnd('S') switch
        {
            "WEEK" => TimeSpan.FromDays(7 * count),
            "DAY" => TimeSpan.FromDays(count),
            "HOUR" => TimeSpan.FromHours(count),
            "MINUTE" => TimeSpan.FromMinutes(count),
            "SECOND" => TimeSpan.FromSeconds(count),
            _ => Default,
        };
    }
}

using System.Globalization;
using System.Text.Json.Serialization;

namespace Tributary.Connectors.PriorityFirstSync;

/// <summary>The original's state: <c>{"pfs_cursors": {"user": {...}, "is_incremental_sync": true}}</c>.</summary>
internal sealed class PfsState
{
    [JsonPropertyName("pfs_cursors")]
    public PfsCursors PfsCursors { get; set; } = new();
}

/// <summary>The cursors of each table, and which kind of sync runs next. Tables sit beside the flag, as in the original.</summary>
internal sealed class PfsCursors
{
    [JsonPropertyName("user")]
    public TableCursors? User { get; set; }

    /// <summary>True: the next sync reads recent changes; false: it walks the history back.</summary>
    [JsonPropertyName("is_incremental_sync")]
    public bool? IsIncrementalSync { get; set; }
}

/// <summary>One table's cursors, ISO-8601 times with an offset, as Python's <c>isoformat()</c> writes them.</summary>
internal sealed class TableCursors
{
    /// <summary>Recent data is read from here on: the <c>updated_at</c> of the last record read.</summary>
    [JsonPropertyName("incremental_cursor")]
    public string IncrementalCursor { get; set; } = "";

    /// <summary>History before this time is still to be read; it walks back to <see cref="HistoricalLimit"/>.</summary>
    [JsonPropertyName("historical_cursor")]
    public string HistoricalCursor { get; set; } = "";

    /// <summary>How far back the history goes.</summary>
    [JsonPropertyName("historical_limit")]
    public string HistoricalLimit { get; set; } = "";

    public static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text, string what) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new InvalidDataException($"{what} is not an ISO-8601 time: '{text}'.");
}

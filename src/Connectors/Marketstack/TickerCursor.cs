using System.Text.Json.Serialization;

namespace Tributary.Connectors.Marketstack;

/// <summary>The state, in the original's keys: a date window and the next ticker to read in it.</summary>
internal sealed class TickerCursor
{
    /// <summary>The index, in the configured ticker list, of the next ticker to read in this window; 0 when a new window starts.</summary>
    [JsonPropertyName("ticker_offset")]
    public int TickerOffset { get; init; }

    /// <summary>The window's first day, <c>yyyy-MM-dd</c> (Marketstack's <c>date_from</c>); null before the first sync.</summary>
    [JsonPropertyName("ticker_start_cursor")]
    public string? StartCursor { get; init; }

    /// <summary>The window's last day, <c>yyyy-MM-dd</c> (Marketstack's <c>date_to</c>); null before the first sync.</summary>
    [JsonPropertyName("ticker_end_cursor")]
    public string? EndCursor { get; init; }
}

using System.Text.Json.Serialization;

namespace Tributary.Connectors.HubSpot;

/// <summary>
/// The saved state. <c>start_date</c> is the Fivetran original's key: where the next window starts. <c>window</c> is
/// present only while a window is being read: its fixed end, the event type in progress and the cursor of its next page.
/// </summary>
internal sealed class HubSpotState
{
    [JsonPropertyName("start_date")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StartDate { get; set; }

    [JsonPropertyName("window")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HubSpotWindow? Window { get; set; }
}

/// <summary>A window in progress.</summary>
internal sealed class HubSpotWindow
{
    [JsonPropertyName("occurred_before")]
    public string OccurredBefore { get; set; } = "";

    [JsonPropertyName("event_type")]
    public string EventType { get; set; } = "";

    [JsonPropertyName("after")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? After { get; set; }
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tributary.Connectors.DynamoDb;

/// <summary>The saved state: one entry per DynamoDB table, keyed by its name.</summary>
internal sealed class DynamoDbState
{
    [JsonPropertyName("tables")]
    public Dictionary<string, TableScanState> Tables { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One table: the full scan in progress, if any (its segment count and each segment's resume point), and the last scan that
/// completed.
/// </summary>
internal sealed class TableScanState
{
    /// <summary>The segment count of the scan in progress; a changed <c>total_segments</c> applies from the next scan.</summary>
    [JsonPropertyName("total_segments")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TotalSegments { get; set; }

    /// <summary>When the scan in progress started (UTC, ISO 8601); null when none is in progress.</summary>
    [JsonPropertyName("scan_started_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ScanStartedAt { get; set; }

    /// <summary>The scan in progress, one entry per segment, index = <c>Segment</c>; null when none is in progress.</summary>
    [JsonPropertyName("segments")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<SegmentState>? Segments { get; set; }

    /// <summary>When the last full scan completed (UTC, ISO 8601).</summary>
    [JsonPropertyName("last_completed_scan_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastCompletedScanAt { get; set; }

    /// <summary>How many full scans have completed.</summary>
    [JsonPropertyName("completed_scans")]
    public int CompletedScans { get; set; }

    /// <summary>Items read by the last completed scan.</summary>
    [JsonPropertyName("last_scan_items")]
    public long LastScanItems { get; set; }

    /// <summary>Items read so far by the scan in progress, over every run it took.</summary>
    [JsonPropertyName("scan_items")]
    public long ScanItems { get; set; }

    [JsonIgnore]
    public bool InProgress => Segments is not null;
}

/// <summary>One segment of a parallel scan: where it resumes, or that it is done.</summary>
internal sealed class SegmentState
{
    /// <summary>
    /// The <c>LastEvaluatedKey</c> of the segment's last page written and checkpointed, in DynamoDB's JSON
    /// (<c>{"id": {"S": "c-17"}}</c>): the next page's <c>ExclusiveStartKey</c>. Null before its first page.
    /// </summary>
    [JsonPropertyName("exclusive_start_key")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? ExclusiveStartKey { get; set; }

    /// <summary>Whether the segment's last page has been read.</summary>
    [JsonPropertyName("done")]
    public bool Done { get; set; }

    /// <summary>Pages read so far by this segment in the scan in progress.</summary>
    [JsonPropertyName("pages")]
    public int Pages { get; set; }
}

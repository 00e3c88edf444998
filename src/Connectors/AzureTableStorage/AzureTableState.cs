using System.Text.Json.Serialization;

namespace Tributary.Connectors.AzureTableStorage;

/// <summary>The saved state: one entry per Azure table, keyed by its name.</summary>
internal sealed class AzureTableState
{
    [JsonPropertyName("tables")]
    public Dictionary<string, TableCursor> Tables { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One table: its watermark, its last full read, and the read in progress.</summary>
internal sealed class TableCursor
{
    /// <summary>
    /// Every entity whose <c>Timestamp</c> is before this instant (ISO 8601, 100 ns) has been read as that version or a
    /// newer one. The next incremental read asks for <c>Timestamp ge watermark − overlap</c>. Null before the first read.
    /// </summary>
    [JsonPropertyName("watermark")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Watermark { get; set; }

    /// <summary>When the last full read (the one that finds deletes) started, by the connector's clock.</summary>
    [JsonPropertyName("last_full_read_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastFullReadAt { get; set; }

    /// <summary>The read in progress, resumed by its continuation token; null between reads.</summary>
    [JsonPropertyName("read")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TableRead? Read { get; set; }
}

/// <summary>A query in progress: its filter's lower bound, where its next page starts, and what it has seen so far.</summary>
internal sealed class TableRead
{
    /// <summary>Whether this read is a full one (no filter, started by a truncate).</summary>
    [JsonPropertyName("full")]
    public bool Full { get; set; }

    /// <summary>The filter's lower bound, <c>Timestamp ge from</c>; null for a full read.</summary>
    [JsonPropertyName("from")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? From { get; set; }

    /// <summary>When the read started, by the connector's clock: the watermark never passes it.</summary>
    [JsonPropertyName("started_at")]
    public string StartedAt { get; set; } = "";

    /// <summary>The continuation token of the next page (the service's next partition and row key); null before the first page.</summary>
    [JsonPropertyName("continuation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Continuation { get; set; }

    /// <summary>The latest entity <c>Timestamp</c> read so far.</summary>
    [JsonPropertyName("max_timestamp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MaxTimestamp { get; set; }

    /// <summary>Entities read so far.</summary>
    [JsonPropertyName("entities")]
    public long Entities { get; set; }
}

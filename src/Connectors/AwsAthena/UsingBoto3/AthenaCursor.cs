using System.Text.Json.Serialization;

namespace Tributary.Connectors.AwsAthena.UsingBoto3;

/// <summary>The state while a query's results are being read: the query and the token of its next page. Empty between syncs.</summary>
internal sealed class AthenaCursor
{
    /// <summary>The query whose results are being read; null when none is (the next sync starts a new one).</summary>
    [JsonPropertyName("query_execution_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? QueryExecutionId { get; init; }

    /// <summary>Athena's <c>NextToken</c> for the next page of that query's results.</summary>
    [JsonPropertyName("next_token")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NextToken { get; init; }
}

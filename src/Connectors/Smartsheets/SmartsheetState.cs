using System.Text.Json.Serialization;

namespace Tributary.Connectors.Smartsheets;

/// <summary>The saved state, in the Fivetran original's shape.</summary>
internal sealed class SmartsheetState
{
    /// <summary>The latest <c>modifiedAt</c> over every sheet.</summary>
    [JsonPropertyName("last_modified")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastModified { get; set; }

    [JsonPropertyName("sheet_states")]
    public Dictionary<string, SheetState> SheetStates { get; set; } = [];

    [JsonPropertyName("report_states")]
    public Dictionary<string, ReportState> ReportStates { get; set; } = [];
}

/// <summary>One sheet: the latest row <c>modifiedAt</c> read (the next <c>rowsModifiedSince</c>) and the rows it holds.</summary>
internal sealed class SheetState
{
    [JsonPropertyName("last_modified")]
    public string? LastModified { get; set; }

    [JsonPropertyName("row_ids")]
    public List<string> RowIds { get; set; } = [];
}

/// <summary>One report: the rows it held, to find the ones that left it.</summary>
internal sealed class ReportState
{
    [JsonPropertyName("row_ids")]
    public List<string> RowIds { get; set; } = [];
}

using CsvHelper;

namespace Tributary.Connectors.ExportCsv;

/// <summary>One line of the export. CsvHelper's source generator maps each header column to the property of that name
/// (exactly, then ignoring case), so <c>updatedAt</c> reads into <see cref="UpdatedAt"/>.</summary>
[CsvRecord]
internal sealed partial class ExportedUser
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public string? Email { get; set; }

    public string? Address { get; set; }

    public string? Company { get; set; }

    public string? Job { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }
}

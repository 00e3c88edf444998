namespace Tributary.Sdk;

/// <summary>A table a connector writes.</summary>
/// <param name="Name">The table's source name; it is normalised to lower snake case in the destination.</param>
public sealed record TableDefinition(string Name)
{
    /// <summary>The primary-key columns, composite allowed. Empty means keyless: rows get a surrogate key.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>Columns whose type is forced. Values are coerced to the declared type; the rest is inferred.</summary>
    public IReadOnlyDictionary<string, ColumnType> Columns { get; init; } = new Dictionary<string, ColumnType>();
}

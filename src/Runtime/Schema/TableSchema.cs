using Tributary.Sdk;

namespace Tributary.Runtime.Schema;

/// <summary>A destination column: its normalised name and type.</summary>
/// <param name="Name">Lower snake case name, as created in the destination.</param>
/// <param name="Type">The column's current type.</param>
public sealed record ColumnSchema(string Name, ColumnType Type);

/// <summary>
/// A destination table as the runtime tracks it: normalised names, ordered columns (system columns
/// included) and the primary key. Immutable: a schema change produces a new instance.
/// </summary>
public sealed record TableSchema
{
    /// <summary>Creates a table schema.</summary>
    /// <param name="name">Normalised table name.</param>
    /// <param name="columns">Every column in creation order, system columns included.</param>
    /// <param name="primaryKey">Key column names (normalised); for a keyless table, the surrogate id column.</param>
    public TableSchema(string name, IReadOnlyList<ColumnSchema> columns, IReadOnlyList<string> primaryKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Columns = columns;
        PrimaryKey = primaryKey;
    }

    /// <summary>Normalised table name.</summary>
    public string Name { get; }

    /// <summary>Every column in creation order, system columns included.</summary>
    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>Primary-key column names; never empty (keyless tables use the surrogate id column).</summary>
    public IReadOnlyList<string> PrimaryKey { get; }

    /// <summary>The column with this normalised name, or <see langword="null"/>.</summary>
    public ColumnSchema? Find(string name)
    {
        foreach (var column in Columns)
        {
            if (column.Name == name)
            {
                return column;
            }
        }

        return null;
    }
}

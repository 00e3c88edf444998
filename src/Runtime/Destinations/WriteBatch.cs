using Tributary.Runtime.Schema;

namespace Tributary.Runtime.Destinations;

/// <summary>The kind of every operation in a <see cref="WriteBatch"/>.</summary>
public enum OperationKind
{
    /// <summary>Insert, or replace the whole row with that key and clear its deleted flag.</summary>
    Upsert,
    /// <summary>Change the batch's columns of the rows with these keys.</summary>
    Update,
    /// <summary>Set the deleted flag of the rows with these keys.</summary>
    Delete,
    /// <summary>Set the deleted flag of every row in the table. A truncate batch has no rows.</summary>
    Truncate,
}

/// <summary>A change to a table's shape, applied before a batch's rows.</summary>
/// <param name="Kind">What changes.</param>
/// <param name="Column">The created, added or widened column (for <see cref="SchemaChangeKind.CreateTable"/>, null).</param>
public sealed record SchemaChange(SchemaChangeKind Kind, ColumnSchema? Column)
{
    /// <inheritdoc />
    public override string ToString() => Column is null ? Kind.ToString() : $"{Kind} {Column.Name} {Column.Type}";
}

/// <summary>Kinds of <see cref="SchemaChange"/>.</summary>
public enum SchemaChangeKind
{
    /// <summary>Create the table with every column of <see cref="WriteBatch.Table"/> and its primary key.</summary>
    CreateTable,
    /// <summary>Add a nullable column.</summary>
    AddColumn,
    /// <summary>Change an existing column to a wider type, converting its values in place.</summary>
    WidenColumn,
}

/// <summary>
/// Operations of one kind on one table, in order, with the schema changes they need. Values are already
/// coerced to their column's type and held per column (<see cref="Values"/>) as these CLR types: BOOLEAN
/// <see cref="bool"/>, SHORT <see cref="short"/>, INT <see cref="int"/>, LONG <see cref="long"/>, DECIMAL
/// <see cref="decimal"/>, FLOAT <see cref="float"/>, DOUBLE <see cref="double"/>, NAIVE_DATE <see cref="DateOnly"/>,
/// NAIVE_DATETIME <see cref="DateTime"/> (unspecified kind), UTC_DATETIME <see cref="DateTimeOffset"/> (offset
/// zero), BINARY <see cref="byte"/>[], XML, STRING and JSON <see cref="string"/> (JSON as its text).
/// </summary>
/// <remarks>A batch is valid only during <see cref="IDestination.WriteAsync"/>: the runtime reuses its vectors afterwards.</remarks>
public sealed class WriteBatch
{
    /// <summary>Creates a batch from rows, each aligned with <paramref name="columns"/>; for tests and small writers.</summary>
    public WriteBatch(
        string schema,
        TableSchema table,
        SystemColumns systemColumns,
        OperationKind kind,
        IReadOnlyList<string> columns,
        IReadOnlyList<object?[]> rows,
        IReadOnlyList<SchemaChange> changes,
        DateTimeOffset syncedAt)
        : this(schema, table, systemColumns, kind, columns, ToVectors(table, columns, rows), rows.Count, changes, syncedAt)
    {
    }

    /// <summary>Creates a batch from column vectors, each holding <paramref name="rowCount"/> values.</summary>
    public WriteBatch(
        string schema,
        TableSchema table,
        SystemColumns systemColumns,
        OperationKind kind,
        IReadOnlyList<string> columns,
        IReadOnlyList<ColumnVector> values,
        int rowCount,
        IReadOnlyList<SchemaChange> changes,
        DateTimeOffset syncedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        ArgumentNullException.ThrowIfNull(table);
        if (values.Count != columns.Count || values.Any(v => v.Count != rowCount))
        {
            throw new ArgumentException("Every column needs one vector with one value per row.", nameof(values));
        }

        Schema = schema;
        Table = table;
        SystemColumns = systemColumns;
        Kind = kind;
        Columns = columns;
        Values = values;
        RowCount = rowCount;
        Changes = changes;
        SyncedAt = syncedAt;
    }

    /// <summary>The destination schema (the connector's name).</summary>
    public string Schema { get; }

    /// <summary>The table as it is once <see cref="Changes"/> are applied.</summary>
    public TableSchema Table { get; }

    /// <summary>Names of the synced, deleted and surrogate-id columns.</summary>
    public SystemColumns SystemColumns { get; }

    /// <summary>The operation every row of the batch carries.</summary>
    public OperationKind Kind { get; }

    /// <summary>
    /// The columns each row holds, in order. Upsert: every column of the table except synced and deleted.
    /// Update: the key columns, then the changed columns. Delete: the key columns. Truncate: none.
    /// </summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>One vector per entry of <see cref="Columns"/>. Keys are unique within a batch; the last operation on a key wins.</summary>
    public IReadOnlyList<ColumnVector> Values { get; }

    /// <summary>Rows in the batch.</summary>
    public int RowCount { get; }

    /// <summary>Schema changes to apply, in order, before the rows.</summary>
    public IReadOnlyList<SchemaChange> Changes { get; }

    /// <summary>The value written to the synced column of every row the batch touches.</summary>
    public DateTimeOffset SyncedAt { get; }

    private static ColumnVector[] ToVectors(TableSchema table, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows)
    {
        var vectors = columns.Select(c => ColumnVector.Create(
            table.Find(c)?.Type ?? throw new ArgumentException($"Column '{c}' is not in table '{table.Name}'.", nameof(columns)))).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < vectors.Length; i++)
            {
                vectors[i].Append(row[i]);
            }
        }

        return vectors;
    }
}

using Tributary.Runtime.Schema;

namespace Tributary.Runtime.Destinations;

/// <summary>The operations a connector emits on a table.</summary>
public enum OperationKind
{
    /// <summary>Insert, or replace the whole row with that key and clear its deleted flag.</summary>
    Upsert,
    /// <summary>Change the given columns of the row with that key.</summary>
    Update,
    /// <summary>Set the deleted flag of the row with that key.</summary>
    Delete,
    /// <summary>Set the deleted flag of every row in the table.</summary>
    Truncate,
}

/// <summary>
/// What one row of a <see cref="WriteBatch"/> does to the table's row with its key: the operations on that key since
/// the last batch, folded in arrival order. An upsert replaces whatever came before it, an update merges into what
/// came before, a delete marks it.
/// </summary>
public enum RowOperation : byte
{
    /// <summary>Insert, or replace the whole row; it is live. Cells are values or NULL, never unmodified.</summary>
    Upsert,
    /// <summary>Insert, or replace the whole row, and set its deleted flag (an upsert followed by a delete).</summary>
    UpsertThenDelete,
    /// <summary>Change the cells that are not unmodified; the deleted flag stays. Nothing when the key does not exist.</summary>
    Update,
    /// <summary>Change the cells that are not unmodified (none, for a plain delete) and set the deleted flag. Nothing when the key does not exist.</summary>
    Delete,
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
/// Everything to apply to one table in one transaction, in this order: the schema changes, the truncate, then the
/// rows. Each row carries one key (keys are unique within a batch) and a <see cref="RowOperation"/>, so rows apply in
/// any order and the result equals applying the connector's operations one by one. Values are already coerced to their
/// column's type and held per column (<see cref="Values"/>) as these CLR types: BOOLEAN <see cref="bool"/>, SHORT
/// <see cref="short"/>, INT <see cref="int"/>, LONG <see cref="long"/>, DECIMAL <see cref="decimal"/>, FLOAT
/// <see cref="float"/>, DOUBLE <see cref="double"/>, NAIVE_DATE <see cref="DateOnly"/>, NAIVE_DATETIME
/// <see cref="DateTime"/> (unspecified kind), UTC_DATETIME <see cref="DateTimeOffset"/> (offset zero), BINARY
/// <see cref="byte"/>[], XML, STRING and JSON <see cref="string"/> (JSON as its text).
/// </summary>
/// <remarks>A batch is valid only during <see cref="IDestination.WriteAsync"/>: the runtime reuses its vectors afterwards.</remarks>
public sealed class WriteBatch
{
    private readonly RowOperation[] _operations;

    /// <summary>
    /// Creates a batch of one operation kind from rows, each aligned with <paramref name="columns"/>; for tests and small
    /// writers. Update rows change only the given columns; a truncate has no rows.
    /// </summary>
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

    /// <summary>
    /// Creates a batch of one operation kind from column vectors, each holding <paramref name="rowCount"/> values. Update
    /// rows change only the given columns; a truncate has no rows.
    /// </summary>
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
        : this(schema, table, systemColumns, columns, values, Repeat(kind, rowCount), rowCount, kind == OperationKind.Truncate, changes, syncedAt)
    {
    }

    /// <summary>Creates a batch from column vectors, each holding <paramref name="rowCount"/> values, and each row's operation.</summary>
    /// <param name="schema">The destination schema.</param>
    /// <param name="table">The table as it is once <paramref name="changes"/> are applied.</param>
    /// <param name="systemColumns">Names of the synced, deleted and surrogate-id columns.</param>
    /// <param name="columns">The columns the rows carry; every key column among them when there are rows.</param>
    /// <param name="values">One vector per column.</param>
    /// <param name="operations">Each row's operation (at least <paramref name="rowCount"/> entries; the batch keeps the array).</param>
    /// <param name="rowCount">Rows in the batch.</param>
    /// <param name="truncate">Whether every live row is soft-deleted before the rows apply.</param>
    /// <param name="changes">Schema changes to apply first.</param>
    /// <param name="syncedAt">The synced time of every row the batch touches.</param>
    /// <exception cref="ArgumentException">The vectors, operations or columns do not fit together.</exception>
    public WriteBatch(
        string schema,
        TableSchema table,
        SystemColumns systemColumns,
        IReadOnlyList<string> columns,
        IReadOnlyList<ColumnVector> values,
        RowOperation[] operations,
        int rowCount,
        bool truncate,
        IReadOnlyList<SchemaChange> changes,
        DateTimeOffset syncedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(operations);
        if (values.Count != columns.Count || values.Any(v => v.Count != rowCount) || operations.Length < rowCount)
        {
            throw new ArgumentException("Every column needs one vector with one value per row, and every row an operation.", nameof(values));
        }

        if (rowCount > 0 && table.PrimaryKey.FirstOrDefault(k => !columns.Contains(k)) is { } missing)
        {
            throw new ArgumentException($"The batch's rows lack primary-key column '{missing}' of table '{table.Name}'.", nameof(columns));
        }

        Schema = schema;
        Table = table;
        SystemColumns = systemColumns;
        Columns = columns;
        Values = values;
        _operations = operations;
        RowCount = rowCount;
        Truncate = truncate;
        Changes = changes;
        SyncedAt = syncedAt;
        foreach (var operation in Operations)
        {
            if (operation is RowOperation.Upsert or RowOperation.UpsertThenDelete)
            {
                UpsertCount++;
            }

            if (operation is RowOperation.UpsertThenDelete or RowOperation.Delete)
            {
                DeleteCount++;
            }
        }
    }

    /// <summary>
    /// The lease epoch of the run writing the batch (<see cref="State.IConnectorLease.Epoch"/>): the destination commits the batch
    /// only if no batch of a larger epoch was committed to <see cref="Schema"/> before, checking and recording it inside the
    /// batch's transaction. <see langword="null"/> (tests, tools): not fenced.
    /// </summary>
    public long? Fence { get; set; }

    /// <summary>The destination schema (the connection's).</summary>
    public string Schema { get; }

    /// <summary>The table as it is once <see cref="Changes"/> are applied.</summary>
    public TableSchema Table { get; }

    /// <summary>Names of the synced, deleted and surrogate-id columns.</summary>
    public SystemColumns SystemColumns { get; }

    /// <summary>Whether every live row of the table is soft-deleted before the rows apply (a truncate, then what followed it).</summary>
    public bool Truncate { get; }

    /// <summary>
    /// The columns the rows carry, never synced or deleted; every key column is among them. An upsert row sets the
    /// table's other columns to NULL; an update or delete row leaves them, and its unmodified cells, as they are.
    /// </summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>One vector per entry of <see cref="Columns"/>.</summary>
    public IReadOnlyList<ColumnVector> Values { get; }

    /// <summary>Each row's operation.</summary>
    public ReadOnlySpan<RowOperation> Operations => _operations.AsSpan(0, RowCount);

    /// <summary>Rows in the batch.</summary>
    public int RowCount { get; }

    /// <summary>Rows that replace their key's row: <see cref="RowOperation.Upsert"/> and <see cref="RowOperation.UpsertThenDelete"/>.</summary>
    public int UpsertCount { get; }

    /// <summary>Rows that set the deleted flag: <see cref="RowOperation.UpsertThenDelete"/> and <see cref="RowOperation.Delete"/>.</summary>
    public int DeleteCount { get; }

    /// <summary>Schema changes to apply, in order, before the rows.</summary>
    public IReadOnlyList<SchemaChange> Changes { get; }

    /// <summary>The value written to the synced column of every row the batch touches.</summary>
    public DateTimeOffset SyncedAt { get; }

    /// <summary>The position of <paramref name="column"/> in <see cref="Columns"/> and <see cref="Values"/>; -1 when the batch does not carry it.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == column)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether <paramref name="operation"/> replaces its key's row (an upsert) rather than changing an existing one.</summary>
    public static bool IsUpsert(RowOperation operation) => operation is RowOperation.Upsert or RowOperation.UpsertThenDelete;

    /// <summary>The batch in a few words, for logs: its rows by operation, and the truncate.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Truncate)
        {
            parts.Add("truncate");
        }

        if (UpsertCount > 0)
        {
            parts.Add(UpsertCount == 1 ? "1 upsert" : $"{UpsertCount} upserts");
        }

        if (RowCount > UpsertCount)
        {
            parts.Add(RowCount - UpsertCount == 1 ? "1 update or delete" : $"{RowCount - UpsertCount} updates and deletes");
        }

        return parts.Count == 0 ? "schema changes only" : string.Join(", ", parts);
    }

    private static RowOperation[] Repeat(OperationKind kind, int rowCount)
    {
        var operation = kind switch
        {
            OperationKind.Upsert => RowOperation.Upsert,
            OperationKind.Update => RowOperation.Update,
            OperationKind.Delete => RowOperation.Delete,
            OperationKind.Truncate when rowCount == 0 => RowOperation.Upsert,
            OperationKind.Truncate => throw new ArgumentException("A truncate batch has no rows.", nameof(rowCount)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown operation kind."),
        };
        var operations = new RowOperation[rowCount];
        Array.Fill(operations, operation);
        return operations;
    }

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

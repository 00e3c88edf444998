using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Runtime;

/// <summary>
/// A table's operations since its last batch, folded into one row per key in arrival order: an upsert replaces the row
/// (and revives a deleted one), an update merges into it, a delete marks it. The rows live in column vectors that the
/// next <see cref="WriteBatch"/> takes over; written batches hand their vectors back for reuse.
/// </summary>
internal sealed class PendingRows
{
    /// <summary>A cell the operation leaves as it is (the columns an update does not set).</summary>
    public static readonly object Unset = new();

    private readonly Dictionary<object, int> _rowByKey = new(RowKeys.Comparer);
    private readonly List<ColumnVector> _spare = [];   // vectors of written batches, ready for reuse
    private ColumnVector[]? _vectors;
    private RowOperation[] _operations = new RowOperation[16];

    /// <summary>Rows pending: one per key.</summary>
    public int Count { get; private set; }

    /// <summary>Estimated bytes of the values pending (a value replaced in place still counts).</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Folds one operation's values, aligned with <paramref name="columns"/> (which hold until the rows are taken), into
    /// the row of <paramref name="key"/>.
    /// </summary>
    public void Add(object?[] values, RowOperation operation, object key, IReadOnlyList<ColumnSchema> columns) =>
        Add(new BoxedCells(values), operation, key, columns);

    /// <summary>
    /// Folds one operation of a captured row: each column with a field, aligned with <paramref name="columns"/>, reads its
    /// value from <paramref name="row"/>, typed; the others are NULL in an upsert and left as they are in an update or delete.
    /// </summary>
    public void Add(IReadOnlyList<TypedField?> fields, object row, RowOperation operation, object key, IReadOnlyList<ColumnSchema> columns) =>
        Add(new TypedCells(fields, row, operation == RowOperation.Upsert), operation, key, columns);

    // One fold for both kinds of cells; the struct type argument gives each its own compiled loop, with no indirection.
    private void Add<TCells>(TCells cells, RowOperation operation, object key, IReadOnlyList<ColumnSchema> columns)
        where TCells : struct, ICells
    {
        _vectors ??= [.. columns.Select(c => Rent(c.Type))];
        if (_rowByKey.TryGetValue(key, out var slot))
        {
            Fold(slot, operation);
            for (var i = 0; i < _vectors.Length; i++)
            {
                Bytes += cells.Set(i, _vectors[i], slot);
            }

            return;
        }

        AddSlot(key, operation);
        for (var i = 0; i < _vectors.Length; i++)
        {
            Bytes += cells.Append(i, _vectors[i]);
        }
    }

    /// <summary>The pending rows' vectors and operations, handed to a batch; <see langword="null"/> vectors when none were added. Starts empty again.</summary>
    public (ColumnVector[]? Vectors, RowOperation[] Operations, int Count) Take()
    {
        var taken = (_vectors, _operations, Count);
        if (_vectors is not null)
        {
            _operations = new RowOperation[_operations.Length];   // the batch keeps the array until it is written
        }

        _vectors = null;
        Count = 0;
        Bytes = 0;
        _rowByKey.Clear();
        return taken;
    }

    /// <summary>Takes a written batch's vectors back for the next batches. Called by the engine's writer.</summary>
    public void Recycle(WriteBatch batch)
    {
        foreach (var vector in batch.Values)
        {
            vector.Clear();
        }

        lock (_spare)
        {
            _spare.AddRange(batch.Values);
        }
    }

    // A later operation on a pending key: an upsert replaces the row (and revives it), a delete marks it, an update
    // keeps what came before.
    private void Fold(int slot, RowOperation operation)
    {
        var current = _operations[slot];
        _operations[slot] = (operation, current) switch
        {
            (RowOperation.Upsert, _) => RowOperation.Upsert,
            (RowOperation.Delete, RowOperation.Upsert) => RowOperation.UpsertThenDelete,
            (RowOperation.Delete, RowOperation.Update) => RowOperation.Delete,
            _ => current,   // a second delete changes nothing
        };
    }

    private void AddSlot(object key, RowOperation operation)
    {
        if (Count == _operations.Length)
        {
            Array.Resize(ref _operations, Count * 2);
        }

        _rowByKey.Add(key, Count);
        _operations[Count++] = operation;
    }

    private ColumnVector Rent(Sdk.ColumnType type)
    {
        lock (_spare)
        {
            var index = _spare.FindIndex(v => v.Type == type);
            if (index < 0)
            {
                return ColumnVector.Create(type);
            }

            var vector = _spare[index];
            _spare.RemoveAt(index);
            return vector;
        }
    }

    // A value's share of a batch: its slot in the vector, plus the text or bytes a reference points to.
    private static long SizeOf(object? value) => value switch
    {
        string text => 8 + 24 + 2L * text.Length,
        byte[] bytes => 8 + 24 + bytes.Length,
        decimal => 16,
        _ => 8,
    };

    /// <summary>One operation's cells, by column: each appended to a new row, or set in a pending one.</summary>
    private interface ICells
    {
        /// <summary>Appends the column's cell (unmodified when the operation leaves it). Returns its estimated bytes.</summary>
        long Append(int column, ColumnVector vector);

        /// <summary>Sets the column's cell in <paramref name="slot"/>, unless the operation leaves it. Returns its estimated bytes.</summary>
        long Set(int column, ColumnVector vector, int slot);
    }

    // Coerced values, boxed; Unset where the operation leaves the cell.
    private readonly struct BoxedCells(object?[] values) : ICells
    {
        public long Append(int column, ColumnVector vector)
        {
            var value = values[column];
            if (ReferenceEquals(value, Unset))
            {
                vector.AppendUnmodified();
                return 0;
            }

            vector.Append(value);
            return SizeOf(value);
        }

        public long Set(int column, ColumnVector vector, int slot)
        {
            var value = values[column];
            if (ReferenceEquals(value, Unset))
            {
                return 0;
            }

            vector.Set(slot, value);
            return SizeOf(value);
        }
    }

    // A captured row read through its typed fields; a column without one is NULL in an upsert (full), left otherwise.
    private readonly struct TypedCells(IReadOnlyList<TypedField?> fields, object row, bool full) : ICells
    {
        public long Append(int column, ColumnVector vector)
        {
            if (fields[column] is { } field)
            {
                return field.Append(row, vector);
            }

            if (!full)
            {
                vector.AppendUnmodified();
                return 0;
            }

            vector.Append(null);
            return SizeOf(null);
        }

        public long Set(int column, ColumnVector vector, int slot)
        {
            if (fields[column] is { } field)
            {
                return field.Set(row, vector, slot);
            }

            if (!full)
            {
                return 0;
            }

            vector.Set(slot, null);
            return SizeOf(null);
        }
    }
}

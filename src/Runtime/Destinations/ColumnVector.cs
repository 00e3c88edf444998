using Tributary.Sdk;

namespace Tributary.Runtime.Destinations;

/// <summary>
/// One column of a <see cref="WriteBatch"/>: a value per row in the column type's CLR representation, kept in a
/// typed array so a batch of a million rows is a handful of arrays, not millions of boxed objects. A cell is a
/// value, NULL, or (in an update or delete row) unmodified: the row's existing value stays.
/// </summary>
public abstract class ColumnVector
{
    private protected ColumnVector(ColumnType type) => Type = type;

    /// <summary>The column's type.</summary>
    public ColumnType Type { get; }

    /// <summary>Rows held.</summary>
    public int Count { get; private protected set; }

    /// <summary>Whether the row's value is NULL. An unmodified cell also reads as NULL.</summary>
    public abstract bool IsNull(int row);

    /// <summary>Whether the row leaves this column's existing value as it is (only update and delete rows do).</summary>
    public abstract bool IsUnmodified(int row);

    /// <summary>The row's value, boxed; <see langword="null"/> for NULL. For tests and slow paths.</summary>
    public abstract object? GetValue(int row);

    /// <summary>A vector for <paramref name="type"/>'s CLR representation.</summary>
    public static ColumnVector Create(ColumnType type) => type.Type switch
    {
        DataType.Boolean => new ColumnVector<bool>(type),
        DataType.Short => new ColumnVector<short>(type),
        DataType.Int => new ColumnVector<int>(type),
        DataType.Long => new ColumnVector<long>(type),
        DataType.Decimal => new ColumnVector<decimal>(type),
        DataType.Float => new ColumnVector<float>(type),
        DataType.Double => new ColumnVector<double>(type),
        DataType.NaiveDate => new ColumnVector<DateOnly>(type),
        DataType.NaiveDateTime => new ColumnVector<DateTime>(type),
        DataType.UtcDateTime => new ColumnVector<DateTimeOffset>(type),
        DataType.Binary => new ColumnVector<byte[]>(type),
        _ => new ColumnVector<string>(type),
    };

    /// <summary>Appends a value that already has the column's CLR type, or NULL.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public abstract void Append(object? value);

    /// <summary>Appends an unmodified cell.</summary>
    public void AppendUnmodified()
    {
        Append(null);
        SetUnmodified(Count - 1);
    }

    /// <summary>Replaces a row's value (a later operation on the key).</summary>
    public abstract void Set(int row, object? value);

    /// <summary>Marks a row's cell unmodified: the row's existing value stays.</summary>
    public abstract void SetUnmodified(int row);

    /// <summary>Empties the vector, keeping its storage for the next batch.</summary>
    public abstract void Clear();
}

/// <summary>A <see cref="ColumnVector"/> of <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The column type's CLR representation (see <see cref="WriteBatch"/>).</typeparam>
public sealed class ColumnVector<T> : ColumnVector
{
    private T[] _values = new T[16];
    private bool[] _nulls = new bool[16];
    private bool[]? _unmodified;   // allocated by the first unmodified cell: upserts never need it

    internal ColumnVector(ColumnType type) : base(type)
    {
    }

    /// <summary>The row's value; <c>default</c> when it is NULL or unmodified.</summary>
    public T this[int row] => _values[row];

    /// <summary>Every row's value; <c>default</c> where NULL or unmodified.</summary>
    public ReadOnlySpan<T> Values => _values.AsSpan(0, Count);

    /// <inheritdoc />
    public override bool IsNull(int row) => _nulls[row];

    /// <inheritdoc />
    public override bool IsUnmodified(int row) => _unmodified is not null && _unmodified[row];

    /// <inheritdoc />
    public override object? GetValue(int row) => _nulls[row] ? null : _values[row];

    /// <inheritdoc />
    public override void Append(object? value)
    {
        if (Count == _values.Length)
        {
            Grow();
        }

        Set(Count, value);
        Count++;
    }

    /// <summary>Appends a value; <see cref="Append(object?)"/> without the box.</summary>
    internal void AppendValue(T value)
    {
        if (Count == _values.Length)
        {
            Grow();
        }

        SetValue(Count, value);
        Count++;
    }

    /// <summary>Replaces a row's value; <see cref="Set(int, object?)"/> without the box.</summary>
    internal void SetValue(int row, T value)
    {
        _values[row] = value;
        _nulls[row] = false;
        if (_unmodified is not null)
        {
            _unmodified[row] = false;
        }
    }

    /// <inheritdoc />
    public override void Set(int row, object? value)
    {
        if (value is null)
        {
            _values[row] = default!;
            _nulls[row] = true;
        }
        else
        {
            _values[row] = (T)value;
            _nulls[row] = false;
        }

        if (_unmodified is not null)
        {
            _unmodified[row] = false;
        }
    }

    private void Grow()
    {
        Array.Resize(ref _values, Count * 2);
        Array.Resize(ref _nulls, Count * 2);
        if (_unmodified is not null)
        {
            Array.Resize(ref _unmodified, Count * 2);
        }
    }

    /// <inheritdoc />
    public override void SetUnmodified(int row)
    {
        _unmodified ??= new bool[_values.Length];
        _values[row] = default!;
        _nulls[row] = true;
        _unmodified[row] = true;
    }

    /// <inheritdoc />
    public override void Clear()
    {
        if (!typeof(T).IsValueType)
        {
            Array.Clear(_values, 0, Count);   // let strings and byte arrays go
        }

        if (_unmodified is not null)
        {
            Array.Clear(_unmodified, 0, Count);
        }

        Count = 0;
    }
}

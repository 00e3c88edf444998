using DuckDB.NET.Data;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>Appends one value of the current row; the argument is the row's index in the batch.</summary>
internal delegate void AppendValue(IDuckDBAppenderRow row, int index);

/// <summary>
/// Appends batch rows through the DuckDB appender: one typed call per value, read straight from the batch's typed
/// column vectors, never through text or boxing.
/// </summary>
internal static class RowAppender
{
    private const int CancellationStride = 8192;

    /// <summary>
    /// Appends the rows <paramref name="rows"/> names, or rows 0 to <paramref name="rowCount"/> - 1 when it is
    /// <see langword="null"/>; the appender's columns are <paramref name="columns"/>, in order.
    /// </summary>
    public static void Append(DuckDBAppender appender, int[]? rows, int rowCount, AppendValue[] columns, CancellationToken cancellationToken)
    {
        var count = rows?.Length ?? rowCount;
        for (var n = 0; n < count; n++)
        {
            if (n % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            // AppendRow fills one row object, reused for every row; CreateRow would allocate one a row.
            appender.AppendRow((Columns: columns, Index: rows is null ? n : rows[n]), static (row, current) =>
            {
                foreach (var column in current.Columns)
                {
                    column(row, current.Index);
                }
            });
        }
    }

    /// <summary>Appends every row's value of <paramref name="vector"/>, which must hold <paramref name="type"/>'s CLR representation.</summary>
    /// <exception cref="InvalidOperationException">The vector holds another type than the column's.</exception>
    public static AppendValue From(ColumnVector vector, ColumnType type, string column, string table)
    {
        if (Sql.TypeOf(vector.Type) != Sql.TypeOf(type) || (type.Type == DataType.Decimal && vector.Type != type))
        {
            throw new InvalidOperationException($"Column '{column}' of table '{table}' is {type}, but the batch holds {vector.Type} values for it.");
        }

        return type.Type switch
        {
            DataType.Boolean => Typed<bool>(vector, static (r, v) => r.AppendValue(v)),
            DataType.Short => Typed<short>(vector, static (r, v) => r.AppendValue(v)),
            DataType.Int => Typed<int>(vector, static (r, v) => r.AppendValue(v)),
            DataType.Long => Typed<long>(vector, static (r, v) => r.AppendValue(v)),
            DataType.Decimal => Decimal((ColumnVector<decimal>)vector, type, column, table),
            DataType.Float => Typed<float>(vector, static (r, v) => r.AppendValue(v)),
            DataType.Double => Typed<double>(vector, static (r, v) => r.AppendValue(v)),
            DataType.NaiveDate => Typed<DateOnly>(vector, static (r, v) => r.AppendValue(v)),
            DataType.NaiveDateTime => Typed<DateTime>(vector, static (r, v) => r.AppendValue(v)),
            DataType.UtcDateTime => Typed<DateTimeOffset>(vector, static (r, v) => r.AppendValue(v)),
            DataType.Binary => Typed<byte[]>(vector, static (r, v) => r.AppendValue(v)),
            DataType.Xml or DataType.String or DataType.Json => Typed<string>(vector, static (r, v) => r.AppendValue(v)),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
        };
    }

    /// <summary>Appends, for every row, whether its cell of <paramref name="vector"/> is modified (not left unmodified).</summary>
    public static AppendValue Modified(ColumnVector vector) => (row, i) => row.AppendValue(!vector.IsUnmodified(i));

    /// <summary>Appends each row's deleted flag: whether its operation sets it.</summary>
    public static AppendValue Deleted(WriteBatch batch) =>
        (row, i) => row.AppendValue(batch.Operations[i] is RowOperation.UpsertThenDelete or RowOperation.Delete);

    /// <summary>Appends the same value to every row: the synced time, the deleted flag, or NULL.</summary>
    public static AppendValue Constant(object? value) => value switch
    {
        null => static (r, _) => r.AppendNullValue(),
        bool flag => (r, _) => r.AppendValue(flag),
        DateTimeOffset instant => (r, _) => r.AppendValue(instant),
        _ => throw new ArgumentException($"No constant appender for {value.GetType().Name}.", nameof(value)),
    };

    private static AppendValue Typed<T>(ColumnVector vector, Action<IDuckDBAppenderRow, T> append)
    {
        var values = (ColumnVector<T>)vector;
        return (row, i) =>
        {
            if (values.IsNull(i))
            {
                row.AppendNullValue();
            }
            else
            {
                append(row, values[i]);
            }
        };
    }

    /// <summary>
    /// Rounds to the column's scale (half away from zero, as a SQL cast does) and checks the precision: a last guard, since the
    /// engine's coercion already gives every value exactly the column's scale and fails values that do not fit.
    /// </summary>
    private static AppendValue Decimal(ColumnVector<decimal> values, ColumnType type, string column, string table)
    {
        var scale = type.Scale;
        var integerDigits = type.Precision - type.Scale;
        var bounded = integerDigits <= 28;   // with more digits before the point, every decimal fits
        var limit = bounded ? Pow10(integerDigits) : decimal.MaxValue;
        return (row, i) =>
        {
            if (values.IsNull(i))
            {
                row.AppendNullValue();
                return;
            }

            var value = values[i];
            if (value.Scale > scale)
            {
                value = decimal.Round(value, scale, MidpointRounding.AwayFromZero);
            }

            if (bounded && Math.Abs(value) >= limit)
            {
                throw new InvalidOperationException($"Column '{column}' of table '{table}' is {type}, which cannot hold the value {value}.");
            }

            row.AppendValue(value);
        };
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10m;
        }

        return result;
    }
}

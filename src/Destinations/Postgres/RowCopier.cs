using Npgsql;
using NpgsqlTypes;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.Destinations.Postgres;

/// <summary>Writes one value of the current row; the argument is the row's index in the batch.</summary>
internal delegate Task CopyValue(NpgsqlBinaryImporter importer, int row, CancellationToken cancellationToken);

/// <summary>
/// Streams batch rows through binary COPY: one typed write per value, read straight from the batch's typed column
/// vectors, never through text or boxing.
/// </summary>
internal static class RowCopier
{
    private const int CancellationStride = 8192;

    /// <summary>
    /// Runs <paramref name="copyCommand"/> (<c>COPY … FROM STDIN (FORMAT BINARY)</c>) with the rows <paramref name="rows"/>
    /// names, or rows 0 to <paramref name="rowCount"/> - 1 when it is <see langword="null"/>.
    /// </summary>
    /// <remarks>When a value fails, the COPY is cancelled on disposal and the transaction must be rolled back.</remarks>
    public static async Task<ulong> CopyAsync(
        NpgsqlConnection connection, string copyCommand, int[]? rows, int rowCount, CopyValue[] columns, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync(copyCommand, cancellationToken);
        try
        {
            var count = rows?.Length ?? rowCount;
            for (var n = 0; n < count; n++)
            {
                if (n % CancellationStride == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var i = rows is null ? n : rows[n];
                await importer.StartRowAsync(cancellationToken);
                foreach (var column in columns)
                {
                    await column(importer, i, cancellationToken);
                }
            }

            return await importer.CompleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not NpgsqlException)
        {
            // A value that does not fit, or a cancellation: abandon the COPY. Whatever the server says about the abandoned
            // COPY (its own error may have come first) must not hide this one; the transaction is rolled back either way.
            await DisposeQuietlyAsync(importer);
            throw;
        }
        finally
        {
            // Completed, or failed in Npgsql: disposing ends the COPY (a second disposal does nothing).
            await DisposeQuietlyAsync(importer);
        }
    }

    private static async Task DisposeQuietlyAsync(NpgsqlBinaryImporter importer)
    {
        try
        {
            await importer.DisposeAsync();
        }
        catch (NpgsqlException)
        {
            // The COPY already failed; its first error is the one that propagates.
        }
    }

    /// <summary>Copies every row's value of <paramref name="vector"/>, which must hold <paramref name="type"/>'s CLR representation.</summary>
    /// <exception cref="InvalidOperationException">The vector holds another CLR type than the column's.</exception>
    public static CopyValue From(ColumnVector vector, ColumnType type, string column, string table)
    {
        if (ClrTypeOf(vector.Type) != ClrTypeOf(type))
        {
            throw new InvalidOperationException($"Column '{column}' of table '{table}' is {type}, but the batch holds {vector.Type} values for it.");
        }

        var wire = Sql.DbTypeOf(type);
        return type.Type switch
        {
            DataType.Boolean => Typed<bool>(vector, wire),
            DataType.Short => Typed<short>(vector, wire),
            DataType.Int => Typed<int>(vector, wire),
            DataType.Long => Typed<long>(vector, wire),
            DataType.Decimal => Decimal((ColumnVector<decimal>)vector, type, column, table),
            DataType.Float => Typed<float>(vector, wire),
            DataType.Double => Typed<double>(vector, wire),
            DataType.NaiveDate => Typed<DateOnly>(vector, wire),
            DataType.NaiveDateTime => Mapped<DateTime, DateTime>(vector, static v => DateTime.SpecifyKind(v, DateTimeKind.Unspecified), wire),
            DataType.UtcDateTime => Mapped<DateTimeOffset, DateTime>(vector, static v => v.UtcDateTime, wire),
            DataType.Binary => Typed<byte[]>(vector, wire),
            DataType.Xml or DataType.String or DataType.Json => Typed<string>(vector, wire),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
        };
    }

    /// <summary>Copies the same value into every row: the synced time or the deleted flag.</summary>
    public static CopyValue Constant(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return (importer, _, cancellationToken) => importer.WriteAsync(utc, NpgsqlDbType.TimestampTz, cancellationToken);
    }

    /// <summary>Copies, for every row, whether its cell of <paramref name="vector"/> is modified (not left unmodified).</summary>
    public static CopyValue Modified(ColumnVector vector) =>
        (importer, row, cancellationToken) => importer.WriteAsync(!vector.IsUnmodified(row), NpgsqlDbType.Boolean, cancellationToken);

    /// <summary>Copies each row's deleted flag: whether its operation sets it.</summary>
    public static CopyValue Deleted(WriteBatch batch) =>
        (importer, row, cancellationToken) => importer.WriteAsync(
            batch.Operations[row] is RowOperation.UpsertThenDelete or RowOperation.Delete, NpgsqlDbType.Boolean, cancellationToken);

    /// <inheritdoc cref="Constant(DateTimeOffset)"/>
    public static CopyValue Constant(bool flag) =>
        (importer, _, cancellationToken) => importer.WriteAsync(flag, NpgsqlDbType.Boolean, cancellationToken);

    private static Type ClrTypeOf(ColumnType type) => type.Type switch
    {
        DataType.Boolean => typeof(bool),
        DataType.Short => typeof(short),
        DataType.Int => typeof(int),
        DataType.Long => typeof(long),
        DataType.Decimal => typeof(decimal),
        DataType.Float => typeof(float),
        DataType.Double => typeof(double),
        DataType.NaiveDate => typeof(DateOnly),
        DataType.NaiveDateTime => typeof(DateTime),
        DataType.UtcDateTime => typeof(DateTimeOffset),
        DataType.Binary => typeof(byte[]),
        _ => typeof(string),
    };

    private static CopyValue Typed<T>(ColumnVector vector, NpgsqlDbType wire)
    {
        var values = (ColumnVector<T>)vector;
        return (importer, i, cancellationToken) => values.IsNull(i)
            ? importer.WriteNullAsync(cancellationToken)
            : importer.WriteAsync(values[i], wire, cancellationToken);
    }

    private static CopyValue Mapped<T, TWire>(ColumnVector vector, Func<T, TWire> map, NpgsqlDbType wire)
    {
        var values = (ColumnVector<T>)vector;
        return (importer, i, cancellationToken) => values.IsNull(i)
            ? importer.WriteNullAsync(cancellationToken)
            : importer.WriteAsync(map(values[i]), wire, cancellationToken);
    }

    /// <summary>
    /// Rounds to the column's scale (half away from zero, as a SQL cast does) and checks the precision: a last guard, since the
    /// engine's coercion already gives every value exactly the column's scale and fails values that do not fit.
    /// </summary>
    private static CopyValue Decimal(ColumnVector<decimal> values, ColumnType type, string column, string table)
    {
        var scale = type.Scale;
        var integerDigits = type.Precision - type.Scale;
        var bounded = integerDigits <= 28;   // with more digits before the point, every decimal fits
        var limit = bounded ? Pow10(integerDigits) : decimal.MaxValue;
        return (importer, i, cancellationToken) =>
        {
            if (values.IsNull(i))
            {
                return importer.WriteNullAsync(cancellationToken);
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

            return importer.WriteAsync(value, NpgsqlDbType.Numeric, cancellationToken);
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

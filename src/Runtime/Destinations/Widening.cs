using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Runtime.Destinations;

/// <summary>
/// What destinations share when they widen a column: which widenings the database's own cast may do, and the value every
/// other widening gives an existing value. That value is the one the engine gives the same value written after the
/// widening, so a widened column reads alike whenever its values were written, on every destination.
/// </summary>
public static class Widening
{
    private const int MaxClrScale = 28;

    /// <summary>
    /// Whether a SQL cast from <paramref name="from"/> to <paramref name="to"/> gives exactly the engine's value, whatever
    /// the session: numbers into wider numbers (but not a DECIMAL into FLOAT or DOUBLE, whose rounding the engine owns),
    /// and dates into naive timestamps. Every other widening (into text, into instants) takes <see cref="Convert"/>.
    /// </summary>
    public static bool CastsExactly(ColumnType from, ColumnType to) => (from.Type, to.Type) switch
    {
        (DataType.Decimal, DataType.Float or DataType.Double) => false,
        (DataType.NaiveDate, DataType.NaiveDateTime) => true,
        var (a, b) => IsNumber(a) && IsNumber(b),
    };

    /// <summary>
    /// The value a stored value of a column of <paramref name="from"/> gets in <paramref name="to"/>. The stored value may be
    /// any CLR type <see cref="TypeSystem.Coerce"/> takes for <paramref name="from"/> (what a database driver returns); a
    /// DECIMAL keeps its column's scale (<c>7</c> in DECIMAL(10,2) is <c>7.00</c>), a JSON document keeps the
    /// text the database returns, and text is <see cref="TypeSystem.ToText"/>'s.
    /// </summary>
    /// <exception cref="FormatException">The value cannot be represented in <paramref name="to"/>.</exception>
    public static object? Convert(object? stored, ColumnType from, ColumnType to)
    {
        // A JSON column's text already is its document (coercing a scalar's text to JSON would encode it again).
        var value = from.Type == DataType.Json && stored is string document ? document : TypeSystem.Coerce(stored, from);
        if (value is decimal d && from.Type == DataType.Decimal && d.Scale < Math.Min(from.Scale, MaxClrScale))
        {
            value = d + new decimal(0, 0, 0, false, (byte)Math.Min(from.Scale, MaxClrScale));   // a sum has the larger scale
        }

        return TypeSystem.Coerce(value, to);
    }

    private static bool IsNumber(DataType type) =>
        type is DataType.Short or DataType.Int or DataType.Long or DataType.Decimal or DataType.Float or DataType.Double;
}

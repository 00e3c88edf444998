using System.Globalization;

namespace Tributary.Sdk;

/// <summary>The destination types a column can have.</summary>
public enum DataType
{
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>16-bit integer.</summary>
    Short,
    /// <summary>32-bit integer.</summary>
    Int,
    /// <summary>64-bit integer.</summary>
    Long,
    /// <summary>Exact decimal with a precision and a scale.</summary>
    Decimal,
    /// <summary>32-bit floating point.</summary>
    Float,
    /// <summary>64-bit floating point.</summary>
    Double,
    /// <summary>A date without a time zone, "2007-12-03".</summary>
    NaiveDate,
    /// <summary>A date and time without a time zone, "2007-12-03T10:15:30".</summary>
    NaiveDateTime,
    /// <summary>An instant in UTC, "2007-12-03T10:15:30.123Z".</summary>
    UtcDateTime,
    /// <summary>Bytes.</summary>
    Binary,
    /// <summary>An XML document, kept as text.</summary>
    Xml,
    /// <summary>Text.</summary>
    String,
    /// <summary>A JSON object or array, kept as JSON text.</summary>
    Json,
}

/// <summary>A column's type: a <see cref="DataType"/>, with precision and scale for decimals.</summary>
public readonly record struct ColumnType
{
    /// <summary>The largest decimal precision a destination must hold.</summary>
    public const int MaxPrecision = 38;

    private ColumnType(DataType type, int precision, int scale)
    {
        Type = type;
        Precision = precision;
        Scale = scale;
    }

    /// <summary>The data type.</summary>
    public DataType Type { get; }

    /// <summary>Total digits of a <see cref="DataType.Decimal"/>; 0 for other types.</summary>
    public int Precision { get; }

    /// <summary>Digits after the point of a <see cref="DataType.Decimal"/>; 0 for other types.</summary>
    public int Scale { get; }

    /// <summary>BOOLEAN.</summary>
    public static ColumnType Boolean { get; } = new(DataType.Boolean, 0, 0);
    /// <summary>SHORT.</summary>
    public static ColumnType Short { get; } = new(DataType.Short, 0, 0);
    /// <summary>INT.</summary>
    public static ColumnType Int { get; } = new(DataType.Int, 0, 0);
    /// <summary>LONG.</summary>
    public static ColumnType Long { get; } = new(DataType.Long, 0, 0);
    /// <summary>FLOAT.</summary>
    public static ColumnType Float { get; } = new(DataType.Float, 0, 0);
    /// <summary>DOUBLE.</summary>
    public static ColumnType Double { get; } = new(DataType.Double, 0, 0);
    /// <summary>NAIVE_DATE.</summary>
    public static ColumnType NaiveDate { get; } = new(DataType.NaiveDate, 0, 0);
    /// <summary>NAIVE_DATETIME.</summary>
    public static ColumnType NaiveDateTime { get; } = new(DataType.NaiveDateTime, 0, 0);
    /// <summary>UTC_DATETIME.</summary>
    public static ColumnType UtcDateTime { get; } = new(DataType.UtcDateTime, 0, 0);
    /// <summary>BINARY.</summary>
    public static ColumnType Binary { get; } = new(DataType.Binary, 0, 0);
    /// <summary>XML.</summary>
    public static ColumnType Xml { get; } = new(DataType.Xml, 0, 0);
    /// <summary>STRING.</summary>
    public static ColumnType String { get; } = new(DataType.String, 0, 0);
    /// <summary>JSON.</summary>
    public static ColumnType Json { get; } = new(DataType.Json, 0, 0);

    /// <summary>DECIMAL(precision, scale).</summary>
    /// <param name="precision">Total digits, 1 to 38.</param>
    /// <param name="scale">Digits after the point, 0 to <paramref name="precision"/>.</param>
    public static ColumnType Decimal(int precision, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, MaxPrecision);
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, precision);
        return new ColumnType(DataType.Decimal, precision, scale);
    }

    /// <summary>Parses a type name as <see cref="ToString"/> writes it (any case): <c>LONG</c>, <c>DECIMAL(15,2)</c>, <c>UTC_DATETIME</c>.</summary>
    /// <returns>Whether <paramref name="text"/> names a type.</returns>
    public static bool TryParse(string? text, out ColumnType type)
    {
        type = default;
        var name = text.AsSpan().Trim();
        if (name.StartsWith("DECIMAL(", StringComparison.OrdinalIgnoreCase) && name.EndsWith(")"))
        {
            var arguments = name[8..^1];
            var comma = arguments.IndexOf(',');
            if (comma < 0
                || !int.TryParse(arguments[..comma].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
                || !int.TryParse(arguments[(comma + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var scale)
                || precision is < 1 or > MaxPrecision || scale > precision)
            {
                return false;
            }

            type = Decimal(precision, scale);
            return true;
        }

        foreach (var candidate in Named)
        {
            if (name.Equals(candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        return false;
    }

    private static readonly ColumnType[] Named =
        [Boolean, Short, Int, Long, Float, Double, NaiveDate, NaiveDateTime, UtcDateTime, Binary, Xml, String, Json];

    /// <summary>The type's name as the Fivetran SDK spells it: <c>LONG</c>, <c>DECIMAL(15,2)</c>, <c>UTC_DATETIME</c>.</summary>
    public override string ToString() => Type switch
    {
        DataType.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({Precision},{Scale})"),
        DataType.NaiveDate => "NAIVE_DATE",
        DataType.NaiveDateTime => "NAIVE_DATETIME",
        DataType.UtcDateTime => "UTC_DATETIME",
        _ => Type.ToString().ToUpperInvariant(),
    };
}

using System.Globalization;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>Reads a column's Tributary type back from its comment and its DuckDB type.</summary>
internal static class ColumnTypes
{
    /// <summary>
    /// The column's type: the Tributary type name in its comment when that name is valid and matches the physical
    /// type (so JSON and XML survive in VARCHAR columns), otherwise the type the physical type maps to.
    /// </summary>
    public static ColumnType Resolve(string physical, string? comment)
    {
        var fromPhysical = FromPhysical(physical);
        if (comment is not null && TryParse(comment, out var declared) && Sql.TypeOf(declared) == Sql.TypeOf(fromPhysical))
        {
            return declared;
        }

        return fromPhysical;
    }

    /// <summary>Parses a type name as <see cref="ColumnType.ToString"/> writes it: <c>LONG</c>, <c>DECIMAL(15,2)</c>.</summary>
    public static bool TryParse(string text, out ColumnType type)
    {
        text = text.Trim();
        if (text.StartsWith("DECIMAL(", StringComparison.OrdinalIgnoreCase) && text.EndsWith(')'))
        {
            return TryParseDecimal(text.AsSpan(8, text.Length - 9), out type);
        }

        ColumnType? named = text.ToUpperInvariant() switch
        {
            "BOOLEAN" => ColumnType.Boolean,
            "SHORT" => ColumnType.Short,
            "INT" => ColumnType.Int,
            "LONG" => ColumnType.Long,
            "FLOAT" => ColumnType.Float,
            "DOUBLE" => ColumnType.Double,
            "NAIVE_DATE" => ColumnType.NaiveDate,
            "NAIVE_DATETIME" => ColumnType.NaiveDateTime,
            "UTC_DATETIME" => ColumnType.UtcDateTime,
            "BINARY" => ColumnType.Binary,
            "XML" => ColumnType.Xml,
            "STRING" => ColumnType.String,
            "JSON" => ColumnType.Json,
            _ => null,
        };
        type = named ?? default;
        return named is not null;
    }

    /// <summary>The Tributary type of a DuckDB type as <c>duckdb_columns()</c> spells it; unknown types read as STRING.</summary>
    public static ColumnType FromPhysical(string physical)
    {
        physical = physical.Trim().ToUpperInvariant();
        if (physical.StartsWith("DECIMAL(", StringComparison.Ordinal) && physical.EndsWith(')')
            && TryParseDecimal(physical.AsSpan(8, physical.Length - 9), out var decimalType))
        {
            return decimalType;
        }

        return physical switch
        {
            "BOOLEAN" => ColumnType.Boolean,
            "TINYINT" or "SMALLINT" or "UTINYINT" => ColumnType.Short,
            "INTEGER" or "USMALLINT" => ColumnType.Int,
            "BIGINT" or "UINTEGER" => ColumnType.Long,
            "FLOAT" => ColumnType.Float,
            "DOUBLE" => ColumnType.Double,
            "DATE" => ColumnType.NaiveDate,
            "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" => ColumnType.NaiveDateTime,
            "TIMESTAMP WITH TIME ZONE" => ColumnType.UtcDateTime,
            "BLOB" => ColumnType.Binary,
            "JSON" => ColumnType.Json,
            _ => ColumnType.String,
        };
    }

    private static bool TryParseDecimal(ReadOnlySpan<char> arguments, out ColumnType type)
    {
        type = default;
        var comma = arguments.IndexOf(',');
        if (comma < 0
            || !int.TryParse(arguments[..comma].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
            || !int.TryParse(arguments[(comma + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var scale)
            || precision is < 1 or > ColumnType.MaxPrecision || scale > precision)
        {
            return false;
        }

        type = ColumnType.Decimal(precision, scale);
        return true;
    }
}

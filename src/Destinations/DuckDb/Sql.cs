using System.Globalization;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>SQL text for DuckDB: quoting, type names and the conversions a widening runs.</summary>
internal static class Sql
{
    /// <summary>A quoted identifier: <c>"name"</c>, with embedded quotes doubled.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A quoted, schema-qualified table name.</summary>
    public static string Table(string schema, string table) => Quote(schema) + "." + Quote(table);

    /// <summary>A string literal: <c>'text'</c>, with embedded apostrophes doubled.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The DuckDB type a column of <paramref name="type"/> is created with.</summary>
    public static string TypeOf(ColumnType type) => type.Type switch
    {
        DataType.Boolean => "BOOLEAN",
        DataType.Short => "SMALLINT",
        DataType.Int => "INTEGER",
        DataType.Long => "BIGINT",
        DataType.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({type.Precision},{type.Scale})"),
        DataType.Float => "FLOAT",
        DataType.Double => "DOUBLE",
        DataType.NaiveDate => "DATE",
        DataType.NaiveDateTime => "TIMESTAMP",
        DataType.UtcDateTime => "TIMESTAMP WITH TIME ZONE",
        DataType.Binary => "BLOB",
        DataType.Xml or DataType.String or DataType.Json => "VARCHAR",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };

    /// <summary>
    /// The expression that converts column <paramref name="column"/> from <paramref name="from"/> to text the way
    /// the runtime writes such a value into a STRING column (ISO-8601 timestamps, base64 bytes, integral
    /// doubles without ".0"), so rows widened in place read like rows written after the widening.
    /// </summary>
    public static string ToText(string column, ColumnType from)
    {
        var c = Quote(column);
        return from.Type switch
        {
            // .NET's round-trip text: whole numbers positional up to 17 digits (9 for FLOAT), NaN and ±Infinity by name.
            DataType.Float or DataType.Double =>
                $"CASE WHEN isnan({c}) THEN 'NaN' WHEN isinf({c}) THEN CASE WHEN {c} > 0 THEN 'Infinity' ELSE '-Infinity' END " +
                $"WHEN {c} = trunc({c}) AND abs({c}) < {(from.Type == DataType.Float ? "1e9" : "1e17")} THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) " +
                $"ELSE upper(CAST({c} AS VARCHAR)) END",
            DataType.NaiveDateTime => $"regexp_replace(strftime({c}, '%Y-%m-%dT%H:%M:%S.%f'), '\\.?0+$', '')",
            DataType.UtcDateTime => $"regexp_replace(strftime(timezone('UTC', {c}), '%Y-%m-%dT%H:%M:%S.%f'), '\\.?0+$', '') || 'Z'",
            DataType.Binary => $"to_base64({c})",
            _ => $"CAST({c} AS VARCHAR)",
        };
    }

    /// <summary>Joins <paramref name="items"/> formatted by <paramref name="format"/> with <c>", "</c>.</summary>
    public static string List<T>(IEnumerable<T> items, Func<T, string> format) => string.Join(", ", items.Select(format));
}

using System.Globalization;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>SQL text for DuckDB: quoting and type names.</summary>
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

    /// <summary>Joins <paramref name="items"/> formatted by <paramref name="format"/> with <c>", "</c>.</summary>
    public static string List<T>(IEnumerable<T> items, Func<T, string> format) => string.Join(", ", items.Select(format));
}

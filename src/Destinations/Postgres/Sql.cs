using System.Globalization;
using System.Text;
using NpgsqlTypes;
using Tributary.Sdk;

namespace Tributary.Destinations.Postgres;

/// <summary>SQL text for PostgreSQL: quoting and type names.</summary>
internal static class Sql
{
    /// <summary>The longest identifier PostgreSQL keeps, in UTF-8 bytes (NAMEDATALEN - 1); it truncates longer ones silently.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>A quoted identifier: <c>"name"</c>, with embedded quotes doubled.</summary>
    /// <exception cref="InvalidOperationException">The name is longer than PostgreSQL keeps, so two names could become one.</exception>
    public static string Quote(string identifier)
    {
        if (Encoding.UTF8.GetByteCount(identifier) > MaxIdentifierBytes)
        {
            throw new InvalidOperationException(
                $"The name '{identifier}' is longer than the {MaxIdentifierBytes} bytes PostgreSQL keeps in an identifier; PostgreSQL would " +
                "truncate it, so two names could become one. Shorten the table or column name in the connector.");
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A quoted, schema-qualified table name.</summary>
    public static string Table(string schema, string table) => Quote(schema) + "." + Quote(table);

    /// <summary>A string literal: <c>'text'</c>, with embedded apostrophes doubled (standard_conforming_strings is on since 9.1).</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// The PostgreSQL type a column of <paramref name="type"/> is created with, spelled as <c>format_type</c> reports it.
    /// XML is <c>text</c>: the runtime does not validate XML, PostgreSQL's <c>xml</c> would refuse what DuckDB keeps, and it has
    /// no equality operator, so it could neither be a key nor be compared in a merge.
    /// </summary>
    public static string TypeOf(ColumnType type) => type.Type switch
    {
        DataType.Boolean => "boolean",
        DataType.Short => "smallint",
        DataType.Int => "integer",
        DataType.Long => "bigint",
        DataType.Decimal => string.Create(CultureInfo.InvariantCulture, $"numeric({type.Precision},{type.Scale})"),
        DataType.Float => "real",
        DataType.Double => "double precision",
        DataType.NaiveDate => "date",
        DataType.NaiveDateTime => "timestamp without time zone",
        DataType.UtcDateTime => "timestamp with time zone",
        DataType.Binary => "bytea",
        DataType.Xml or DataType.String => "text",
        DataType.Json => "jsonb",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };

    /// <summary>The wire type binary COPY writes for a column of <paramref name="type"/>.</summary>
    public static NpgsqlDbType DbTypeOf(ColumnType type) => type.Type switch
    {
        DataType.Boolean => NpgsqlDbType.Boolean,
        DataType.Short => NpgsqlDbType.Smallint,
        DataType.Int => NpgsqlDbType.Integer,
        DataType.Long => NpgsqlDbType.Bigint,
        DataType.Decimal => NpgsqlDbType.Numeric,
        DataType.Float => NpgsqlDbType.Real,
        DataType.Double => NpgsqlDbType.Double,
        DataType.NaiveDate => NpgsqlDbType.Date,
        DataType.NaiveDateTime => NpgsqlDbType.Timestamp,
        DataType.UtcDateTime => NpgsqlDbType.TimestampTz,
        DataType.Binary => NpgsqlDbType.Bytea,
        DataType.Xml or DataType.String => NpgsqlDbType.Text,
        DataType.Json => NpgsqlDbType.Jsonb,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };

    /// <summary>Joins <paramref name="items"/> formatted by <paramref name="format"/> with <c>", "</c>.</summary>
    public static string List<T>(IEnumerable<T> items, Func<T, string> format) => string.Join(", ", items.Select(format));
}

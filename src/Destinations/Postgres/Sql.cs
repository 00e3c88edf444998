using System.Globalization;
using System.Text;
using NpgsqlTypes;
using Tributary.Sdk;

namespace Tributary.Destinations.Postgres;

/// <summary>SQL text for PostgreSQL: quoting, type names and the conversions a widening runs.</summary>
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

    /// <summary>
    /// The <c>USING</c> expression that converts column <paramref name="column"/> from <paramref name="from"/> to
    /// <paramref name="to"/>. Into text, values are written the way the runtime writes such a value into a STRING column
    /// (ISO-8601 timestamps, base64 bytes without line breaks, integral doubles without ".0", exponents as .NET spells them),
    /// so rows widened in place read like rows written after the widening. The session time zone is UTC, so a naive
    /// timestamp or date becomes the UTC instant the runtime would make of it.
    /// </summary>
    public static string Convert(string column, ColumnType from, ColumnType to)
    {
        var c = Quote(column);
        if (to.Type is not (DataType.String or DataType.Xml or DataType.Json))
        {
            return $"{c}::{TypeOf(to)}";
        }

        if (to.Type == DataType.Json)
        {
            return $"{c}::jsonb";
        }

        return from.Type switch
        {
            DataType.Float => FloatingToText(c, PositionalExponentLimitFloat),
            DataType.Double => FloatingToText(c, PositionalExponentLimitDouble),
            DataType.NaiveDate => $"to_char({c}, 'YYYY-MM-DD')",
            DataType.NaiveDateTime => $"regexp_replace(to_char({c}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '\\.?0+$', '')",
            DataType.UtcDateTime => $"regexp_replace(to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '\\.?0+$', '') || 'Z'",
            DataType.Binary => $"replace(encode({c}, 'base64'), E'\\n', '')",
            _ => $"{c}::text",
        };
    }

    /// <summary>
    /// .NET's round-trip formatting ("R") writes a number positionally up to this decimal exponent (17 significant digits
    /// for a double, 9 for a float), PostgreSQL switches to an exponent from 1e15 (double) and 1e6 (real).
    /// </summary>
    private const int PositionalExponentLimitDouble = 16;

    /// <inheritdoc cref="PositionalExponentLimitDouble"/>
    private const int PositionalExponentLimitFloat = 8;

    /// <summary>
    /// A floating-point column as .NET's round-trip text: PostgreSQL's shortest digits, moved to a positional form where
    /// .NET keeps one (<c>1e+15</c> → <c>1000000000000000</c>), the exponent upper case otherwise (<c>1E-05</c>).
    /// </summary>
    private static string FloatingToText(string c, int positionalLimit)
    {
        var text = $"{c}::text";
        var exponent = $"substring({text} from 'e\\+([0-9]+)$')::int";
        var digits = $"replace(substring({text} from '^-?([0-9.]+)e'), '.', '')";
        var positional = $"CASE WHEN {c} < 0 THEN '-' ELSE '' END || left(rpad({digits}, {exponent} + 1, '0'), {exponent} + 1) || " +
            $"CASE WHEN length({digits}) > {exponent} + 1 THEN '.' || substr({digits}, {exponent} + 2) ELSE '' END";
        return $"CASE WHEN {c} IN ('NaN', 'Infinity', '-Infinity') THEN {text} " +
            $"WHEN {text} ~ 'e\\+' AND {exponent} <= {positionalLimit} THEN {positional} ELSE upper({text}) END";
    }

    /// <summary>Joins <paramref name="items"/> formatted by <paramref name="format"/> with <c>", "</c>.</summary>
    public static string List<T>(IEnumerable<T> items, Func<T, string> format) => string.Join(", ", items.Select(format));
}

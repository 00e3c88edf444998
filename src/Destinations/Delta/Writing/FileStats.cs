using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using DuckSql = Tributary.Destinations.DuckDb.Sql;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// The statistics of a data file, as its <c>add</c> action records them: <c>numRecords</c>, and for every column but
/// binary ones <c>nullCount</c>, <c>minValues</c> and <c>maxValues</c>, computed with SQL over the file DuckDB wrote.
/// Timestamps are written to the millisecond (truncated, as the protocol says); a string bound longer than
/// <see cref="MaxStringBound"/> characters is left out, except for key columns, whose exact bounds pruning needs; a float
/// column holding NaN or an infinity has no bounds.
/// </summary>
internal static class FileStats
{
    /// <summary>The longest string bound written for a column that is not part of the key.</summary>
    public const int MaxStringBound = 64;

    /// <summary>The row count and statistics JSON of the local Parquet file <paramref name="file"/>, which holds <paramref name="table"/>'s columns.</summary>
    public static (long Rows, string Stats) Compute(DuckDBConnection connection, string file, TableSchema table)
    {
        var columns = table.Columns.Where(c => c.Type.Type != DataType.Binary).ToList();
        var select = new StringBuilder("SELECT 0, count(*)");
        foreach (var column in columns)
        {
            var q = DuckSql.Quote(column.Name);
            select.Append(", count(*) - count(").Append(q).Append(')')
                .Append(", ").Append(Bound("min", q, column.Type))
                .Append(", ").Append(Bound("max", q, column.Type));
        }

        select.Append(" FROM read_parquet(").Append(DuckSql.Literal(file)).Append(')');
        var key = new HashSet<string>(table.PrimaryKey, StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = select.ToString();
        using var reader = command.ExecuteReader();
        reader.Read();
        {
            var rows = reader.GetInt64(1);
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("numRecords", rows);
                foreach (var (name, offset) in new[] { ("minValues", 3), ("maxValues", 4) })
                {
                    json.WriteStartObject(name);
                    for (var c = 0; c < columns.Count; c++)
                    {
                        var ordinal = 2 + 3 * c + (offset - 2);
                        if (!reader.IsDBNull(ordinal))
                        {
                            WriteBound(json, columns[c], reader.GetString(ordinal), key.Contains(columns[c].Name));
                        }
                    }

                    json.WriteEndObject();
                }

                json.WriteStartObject("nullCount");
                for (var c = 0; c < columns.Count; c++)
                {
                    json.WriteNumber(columns[c].Name, reader.GetInt64(2 + 3 * c));
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            return (rows, Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }

    /// <summary>The SQL that gives a column's bound as text, or NULL when it has none.</summary>
    private static string Bound(string aggregate, string q, ColumnType type) => type.Type switch
    {
        DataType.Float or DataType.Double => $"CASE WHEN bool_and(isfinite({q})) THEN CAST({aggregate}({q}) AS VARCHAR) END",
        DataType.NaiveDateTime => $"strftime({aggregate}({q}), '%Y-%m-%dT%H:%M:%S.%g')",
        DataType.UtcDateTime => $"strftime({aggregate}({q}), '%Y-%m-%dT%H:%M:%S.%gZ')",
        _ => $"CAST({aggregate}({q}) AS VARCHAR)",
    };

    private static void WriteBound(Utf8JsonWriter json, ColumnSchema column, string text, bool key)
    {
        switch (column.Type.Type)
        {
            case DataType.Boolean:
                json.WriteBoolean(column.Name, text == "true");
                break;
            case DataType.Short or DataType.Int or DataType.Long:
                json.WriteNumber(column.Name, long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture));
                break;
            case DataType.Float:
                json.WriteNumber(column.Name, float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
                break;
            case DataType.Double:
                json.WriteNumber(column.Name, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
                break;
            case DataType.Decimal:
                json.WritePropertyName(column.Name);
                json.WriteRawValue(text);
                break;
            case DataType.Xml or DataType.String or DataType.Json when !key && text.Length > MaxStringBound:
                break;
            default:
                json.WriteString(column.Name, text);
                break;
        }
    }
}

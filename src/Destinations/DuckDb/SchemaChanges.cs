using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>A batch's schema changes in DuckDB: create a table, add a column, widen a column.</summary>
internal static class SchemaChanges
{
    private const long WidenChunk = 1 << 18;   // rowids a widening reads and converts at a time

    /// <summary>
    /// Applies the batch's schema changes; true when it created the table (it is then empty and final). The changes log
    /// nothing DuckDB must bind again when it replays its write-ahead log (DuckDB 1.5 cannot replay an ALTER with a
    /// <c>USING</c> expression): only DDL, plain casts and rows. The values a widening converts in the engine are written
    /// after every ALTER of the batch, since DuckDB refuses to alter a table the same transaction has updated.
    /// </summary>
    public static bool Apply(DuckDBConnection connection, WriteBatch batch)
    {
        var schema = batch.Schema;
        var table = batch.Table;
        var target = Sql.Table(schema, table.Name);
        var rewrites = new List<string>();
        foreach (var change in batch.Changes)
        {
            switch (change.Kind)
            {
                case SchemaChangeKind.CreateTable:
                    DuckDbDestination.Execute(connection, CreateTable(schema, table, deferKey: InitialLoads.Defers(batch)));
                    return true;   // the table already has every column of batch.Table; later changes are in it

                case SchemaChangeKind.AddColumn:
                    var added = Column(change);
                    DuckDbDestination.Execute(connection,
                        $"ALTER TABLE {target} ADD COLUMN {Sql.Quote(added.Name)} {Sql.TypeOf(added.Type)};\n" +
                        Comment(schema, table.Name, added));
                    break;

                case SchemaChangeKind.WidenColumn:
                    Widen(connection, batch, Column(change), rewrites);
                    break;

                default:
                    throw new ArgumentOutOfRangeException(nameof(batch), change.Kind, "Unknown schema change.");
            }
        }

        foreach (var rewrite in rewrites)
        {
            DuckDbDestination.Execute(connection, rewrite);
        }

        return false;
    }

    private static ColumnSchema Column(SchemaChange change) =>
        change.Column ?? throw new ArgumentException($"The {change.Kind} change names no column.", nameof(change));

    /// <summary>The table, its column comments, and its key: built now, or marked to build after its initial load.</summary>
    private static string CreateTable(string schema, TableSchema table, bool deferKey)
    {
        var key = new HashSet<string>(table.PrimaryKey, StringComparer.Ordinal);
        var sql = new StringBuilder()
            .Append("CREATE SCHEMA IF NOT EXISTS ").Append(Sql.Quote(schema)).Append(";\n")
            .Append("CREATE TABLE ").Append(Sql.Table(schema, table.Name)).Append(" (")
            .Append(Sql.List(table.Columns, c => $"{Sql.Quote(c.Name)} {Sql.TypeOf(c.Type)}{(key.Contains(c.Name) ? " NOT NULL" : "")}"));
        if (table.PrimaryKey.Count > 0 && !deferKey)
        {
            sql.Append(", PRIMARY KEY (").Append(Sql.List(table.PrimaryKey, Sql.Quote)).Append(')');
        }

        sql.Append(");\n");
        if (deferKey)
        {
            sql.Append(InitialLoads.MarkSql(schema, table)).Append('\n');
        }

        foreach (var column in table.Columns)
        {
            sql.Append(Comment(schema, table.Name, column)).Append('\n');
        }

        return sql.ToString();
    }

    private static string Comment(string schema, string table, ColumnSchema column) =>
        $"COMMENT ON COLUMN {Sql.Table(schema, table)}.{Sql.Quote(column.Name)} IS {Sql.Literal(column.Type.ToString())};";

    /// <summary>
    /// Widens one column. A SQL cast that gives the engine's values (<see cref="Widening.CastsExactly"/>) runs as a plain
    /// <c>SET DATA TYPE</c>. Otherwise the column's values are read back, converted by <see cref="Widening.Convert"/> into a
    /// temporary table, the column is cast plainly, and <paramref name="rewrites"/> gets the UPDATE that writes the engine's
    /// values over the cast's, matched by rowid (which a type change keeps). No statement carries a <c>USING</c> expression:
    /// DuckDB cannot replay one from its write-ahead log.
    /// </summary>
    private static void Widen(DuckDBConnection connection, WriteBatch batch, ColumnSchema column, List<string> rewrites)
    {
        var table = batch.Table.Name;
        var target = Sql.Table(batch.Schema, table);
        var current = Catalog.ReadColumnType(connection, batch.Schema, table, column.Name)
            ?? throw new InvalidOperationException($"Cannot widen column '{column.Name}' of table {target}: the column does not exist.");
        var physical = Sql.TypeOf(column.Type);
        if (physical != Sql.TypeOf(current))
        {
            if (batch.Table.PrimaryKey.Contains(column.Name, StringComparer.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Cannot widen primary-key column '{column.Name}' of table {target} from {current} to {column.Type}: DuckDB cannot change " +
                    "the type of a column in a PRIMARY KEY constraint. Declare the key's type in the connector's schema and reset the connector.");
            }

            if (!Widening.CastsExactly(current, column.Type))
            {
                var stage = StageConverted(connection, target, column.Name, current, column.Type, rewrites.Count);
                rewrites.Add(
                    $"UPDATE {target} AS t SET {Sql.Quote(column.Name)} = s.v FROM {stage} AS s WHERE t.rowid = s.row_id;\n" +
                    $"DROP TABLE {stage};");
            }

            DuckDbDestination.Execute(connection, $"ALTER TABLE {target} ALTER COLUMN {Sql.Quote(column.Name)} SET DATA TYPE {physical}");
        }

        DuckDbDestination.Execute(connection, Comment(batch.Schema, table, column));
    }

    /// <summary>
    /// Reads the column's non-NULL values with their rowids, a range of rowids at a time, and appends each converted to
    /// <paramref name="to"/> into a new temporary table (<c>row_id</c>, <c>v</c>); returns the table's name.
    /// </summary>
    private static string StageConverted(DuckDBConnection connection, string target, string column, ColumnType from, ColumnType to, int number)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"tributary_widen_{number}");
        var stage = "temp.main." + Sql.Quote(name);
        DuckDbDestination.Execute(connection, $"CREATE OR REPLACE TEMP TABLE {Sql.Quote(name)} (row_id BIGINT, v {Sql.TypeOf(to)})");
        var c = Sql.Quote(column);
        long first, last;
        using (var range = connection.CreateCommand())
        {
            range.CommandText = $"SELECT coalesce(min(rowid), 0), coalesce(max(rowid), -1) FROM {target}";
            using var reader = range.ExecuteReader();
            reader.Read();
            (first, last) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        var rows = (ColumnVector<long>)ColumnVector.Create(ColumnType.Long);
        var values = ColumnVector.Create(to);
        for (var start = first; start <= last; start += WidenChunk)
        {
            rows.Clear();
            values.Clear();
            using (var read = connection.CreateCommand())
            {
                read.CommandText = $"SELECT rowid, {c} FROM {target} WHERE rowid >= $start AND rowid < $end AND {c} IS NOT NULL";
                read.Parameters.Add(new DuckDBParameter("start", start));
                read.Parameters.Add(new DuckDBParameter("end", start + WidenChunk));
                using var reader = read.ExecuteReader();
                while (reader.Read())
                {
                    rows.Append(reader.GetInt64(0));
                    values.Append(ConvertStored(reader.GetValue(1), from, to, column, target));
                }
            }

            var appender = connection.CreateAppender("temp", "main", name);
            try
            {
                RowAppender.Append(appender, null, rows.Count,
                    [RowAppender.From(rows, ColumnType.Long, "row_id", name), RowAppender.From(values, to, "v", name)], CancellationToken.None);
                appender.Close();
            }
            finally
            {
                appender.Dispose();
            }
        }

        return stage;
    }

    /// <summary>A value as DuckDB.NET returns it, converted by the engine from the column's old type to its new one.</summary>
    private static object? ConvertStored(object value, ColumnType from, ColumnType to, string column, string target)
    {
        object stored = value switch
        {
            Stream stream => ReadAll(stream),
            DateTime instant when from.Type == DataType.UtcDateTime => new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc)),
            _ => value,
        };
        try
        {
            return Widening.Convert(stored, from, to);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"Cannot widen column '{column}' of table {target} from {from} to {to}: its value {stored} does not convert: {ex.Message}", ex);
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

using DuckDB.NET.Data;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>Reads tables, columns and primary keys back from DuckDB's catalog functions.</summary>
internal static class Catalog
{
    /// <summary>The base tables of <paramref name="schema"/> in the current database, columns in ordinal order.</summary>
    public static IReadOnlyList<TableSchema> ReadTables(DuckDBConnection connection, string schema)
    {
        var columns = new Dictionary<string, List<ColumnSchema>>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                """
                SELECT c.table_name, c.column_name, c.data_type, c.comment
                FROM duckdb_columns() AS c
                JOIN duckdb_tables() AS t ON t.table_oid = c.table_oid
                WHERE c.database_name = current_database() AND c.schema_name = $schema AND NOT t.temporary AND c.table_name <> $fence
                ORDER BY c.table_name, c.column_index
                """;
            command.Parameters.Add(new DuckDBParameter("schema", schema));
            command.Parameters.Add(new DuckDBParameter("fence", Fence.Table));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var table = reader.GetString(0);
                if (!columns.TryGetValue(table, out var list))
                {
                    columns[table] = list = [];
                }

                list.Add(new ColumnSchema(reader.GetString(1), ColumnTypes.Resolve(reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3))));
            }
        }

        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                """
                SELECT table_name, constraint_column_names
                FROM duckdb_constraints()
                WHERE database_name = current_database() AND schema_name = $schema AND constraint_type = 'PRIMARY KEY'
                """;
            command.Parameters.Add(new DuckDBParameter("schema", schema));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                keys[reader.GetString(0)] = reader.GetFieldValue<List<string>>(1);
            }
        }

        return [.. columns
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new TableSchema(t.Key, t.Value, keys.GetValueOrDefault(t.Key) ?? []))];
    }

    /// <summary>The columns of one table in their physical order, which appends follow.</summary>
    public static IReadOnlyList<ColumnSchema> ReadColumns(DuckDBConnection connection, string schema, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT column_name, data_type, comment
            FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name = $schema AND table_name = $table
            ORDER BY column_index
            """;
        command.Parameters.Add(new DuckDBParameter("schema", schema));
        command.Parameters.Add(new DuckDBParameter("table", table));
        using var reader = command.ExecuteReader();
        var columns = new List<ColumnSchema>();
        while (reader.Read())
        {
            columns.Add(new ColumnSchema(reader.GetString(0), ColumnTypes.Resolve(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))));
        }

        return columns;
    }

    /// <summary>The current type of one column, or <see langword="null"/> when it does not exist.</summary>
    public static ColumnType? ReadColumnType(DuckDBConnection connection, string schema, string table, string column)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT data_type, comment
            FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name = $schema AND table_name = $table AND column_name = $column
            """;
        command.Parameters.Add(new DuckDBParameter("schema", schema));
        command.Parameters.Add(new DuckDBParameter("table", table));
        command.Parameters.Add(new DuckDBParameter("column", column));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ColumnTypes.Resolve(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }
}

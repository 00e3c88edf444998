using Npgsql;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.Postgres;

/// <summary>Reads tables, columns and primary keys back from PostgreSQL's catalog.</summary>
internal static class Catalog
{
    /// <summary>The ordinary and partitioned tables of <paramref name="schema"/>, columns in ordinal order, names in ordinal order.</summary>
    public static async Task<IReadOnlyList<TableSchema>> ReadTablesAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<string, List<ColumnSchema>>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText =
                """
                SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), col_description(c.oid, a.attnum)
                FROM pg_catalog.pg_class AS c
                JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname <> $2
                ORDER BY c.relname, a.attnum
                """;
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            command.Parameters.Add(new NpgsqlParameter { Value = Fence.Table });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = reader.GetString(0);
                if (!columns.TryGetValue(table, out var list))
                {
                    columns[table] = list = [];
                }

                list.Add(new ColumnSchema(reader.GetString(1), ColumnTypes.Resolve(reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3))));
            }
        }

        var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText =
                """
                SELECT c.relname, a.attname
                FROM pg_catalog.pg_index AS i
                JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid
                JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
                JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum
                WHERE n.nspname = $1 AND i.indisprimary
                ORDER BY c.relname, k.position
                """;
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = reader.GetString(0);
                if (!keys.TryGetValue(table, out var list))
                {
                    keys[table] = list = [];
                }

                list.Add(reader.GetString(1));
            }
        }

        return [.. columns
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new TableSchema(t.Key, t.Value, keys.TryGetValue(t.Key, out var key) ? key : []))];
    }

    /// <summary>The current type of one column, or <see langword="null"/> when it does not exist.</summary>
    public static async Task<ColumnType?> ReadColumnTypeAsync(NpgsqlConnection connection, string schema, string table, string column, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT format_type(a.atttypid, a.atttypmod), col_description(c.oid, a.attnum)
            FROM pg_catalog.pg_class AS c
            JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3
            """;
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        command.Parameters.Add(new NpgsqlParameter { Value = column });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? ColumnTypes.Resolve(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1))
            : null;
    }
}

using DuckDB.NET.Data;
using Npgsql;

namespace Tributary.Testing;

/// <summary>A destination column as its database's catalog reports it.</summary>
/// <param name="Name">The column name.</param>
/// <param name="PhysicalType">The database's type name (DuckDB: <c>DECIMAL(15,2)</c>; PostgreSQL: <c>numeric(15,2)</c>, as <c>format_type</c> spells it).</param>
/// <param name="IsNullable">Whether the column accepts NULL.</param>
/// <param name="Comment">The column's comment, or <see langword="null"/>.</param>
public sealed record ColumnInfo(string Name, string PhysicalType, bool IsNullable, string? Comment);

/// <summary>
/// Reads a warehouse with plain SQL, the same way whatever the database, so one assertion serves every destination. Values
/// come back as the CLR types a <c>WriteBatch</c> carries: <see cref="bool"/>, <see cref="short"/>, <see cref="int"/>,
/// <see cref="long"/>, <see cref="decimal"/>, <see cref="float"/>, <see cref="double"/>, <see cref="DateOnly"/>,
/// <see cref="DateTime"/> (unspecified kind), <see cref="DateTimeOffset"/> (UTC), <see cref="byte"/>[], <see cref="string"/>
/// (JSON as its text), NULL as <see langword="null"/>. Each call uses its own connection.
/// </summary>
public abstract class WarehouseReader
{
    /// <summary>Runs a query (quote identifiers with double quotes; keep to SQL both databases speak) and returns every row's values.</summary>
    public abstract Task<IReadOnlyList<object?[]>> RowsAsync(string sql, CancellationToken cancellationToken);

    /// <summary>The table's columns in their physical order; empty when it does not exist.</summary>
    public abstract Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(string schema, string table, CancellationToken cancellationToken);

    /// <summary>The table's primary-key columns in key order; empty when it has none.</summary>
    public abstract Task<IReadOnlyList<string>> PrimaryKeyAsync(string schema, string table, CancellationToken cancellationToken);

    /// <summary>The base tables of <paramref name="schema"/>, by name (ordinal).</summary>
    public abstract Task<IReadOnlyList<string>> TablesAsync(string schema, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="schema"/> exists.</summary>
    public abstract Task<bool> SchemaExistsAsync(string schema, CancellationToken cancellationToken);

    /// <summary>A quoted identifier.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A quoted, schema-qualified table name.</summary>
    public static string Table(string schema, string table) => Quote(schema) + "." + Quote(table);

    /// <summary>The single value of a query.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken) =>
        (await RowsAsync(sql, cancellationToken)).Single()[0];

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Runs <paramref name="sql"/> on a DuckDB connection and returns every row's values as the CLR types this class promises.</summary>
    private protected static async Task<IReadOnlyList<object?[]>> ReadDuckDbRowsAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : Normalise(reader.GetValue(i), reader.GetDataTypeName(i));
            }

            rows.Add(values);
        }

        return rows;
    }

    private static object? Normalise(object value, string type) => value switch
    {
        Stream stream => ReadAll(stream),
        DateTime timestamp when type.Equals("TimestampTz", StringComparison.OrdinalIgnoreCase) =>
            new DateTimeOffset(DateTime.SpecifyKind(timestamp, DateTimeKind.Utc)),
        DateTime date when type.Equals("Date", StringComparison.OrdinalIgnoreCase) => DateOnly.FromDateTime(date),
        DateTime timestamp => DateTime.SpecifyKind(timestamp, DateTimeKind.Unspecified),
        DateTimeOffset instant => instant.ToUniversalTime(),
        sbyte small => (short)small,
        byte small => (short)small,
        _ => value,
    };
}

/// <summary>Reads a DuckDB warehouse file through connections that share the process's database instance with the destination.</summary>
public sealed class DuckDbWarehouseReader(string databasePath) : WarehouseReader
{
    public string DatabasePath { get; } = databasePath;

    public override async Task<IReadOnlyList<object?[]>> RowsAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = DatabasePath }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var zone = connection.CreateCommand())
        {
            zone.CommandText = "SET SESSION TimeZone = 'UTC'";
            await zone.ExecuteNonQueryAsync(cancellationToken);
        }

        return await ReadDuckDbRowsAsync(connection, sql, cancellationToken);
    }

    public override async Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(string schema, string table, CancellationToken cancellationToken) =>
        [.. (await RowsAsync(
            $"SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns() WHERE schema_name = {Literal(schema)} AND table_name = {Literal(table)} ORDER BY column_index",
            cancellationToken)).Select(r => new ColumnInfo((string)r[0]!, (string)r[1]!, (bool)r[2]!, (string?)r[3]))];

    public override async Task<IReadOnlyList<string>> PrimaryKeyAsync(string schema, string table, CancellationToken cancellationToken)
    {
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = DatabasePath }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT constraint_column_names FROM duckdb_constraints() WHERE schema_name = {Literal(schema)} AND table_name = {Literal(table)} AND constraint_type = 'PRIMARY KEY'";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? reader.GetFieldValue<List<string>>(0) : [];
    }

    public override async Task<IReadOnlyList<string>> TablesAsync(string schema, CancellationToken cancellationToken) =>
        [.. (await RowsAsync($"SELECT table_name FROM duckdb_tables() WHERE schema_name = {Literal(schema)} AND NOT temporary", cancellationToken))
            .Select(r => (string)r[0]!).Order(StringComparer.Ordinal)];

    public override async Task<bool> SchemaExistsAsync(string schema, CancellationToken cancellationToken) =>
        (await RowsAsync($"SELECT count(*) FROM duckdb_schemas() WHERE schema_name = {Literal(schema)}", cancellationToken)).Single()[0] is long n && n > 0;

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>Reads a PostgreSQL database.</summary>
public sealed class PostgresWarehouseReader(string connectionString) : WarehouseReader
{
    public string ConnectionString { get; } = connectionString;

    public override async Task<IReadOnlyList<object?[]>> RowsAsync(string sql, CancellationToken cancellationToken) =>
        await QueryAsync(sql, [], cancellationToken);

    public override async Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(string schema, string table, CancellationToken cancellationToken) =>
        [.. (await QueryAsync(
            """
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, col_description(c.oid, a.attnum)
            FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = $1 AND c.relname = $2 ORDER BY a.attnum
            """,
            [schema, table], cancellationToken)).Select(r => new ColumnInfo((string)r[0]!, (string)r[1]!, (bool)r[2]!, (string?)r[3]))];

    public override async Task<IReadOnlyList<string>> PrimaryKeyAsync(string schema, string table, CancellationToken cancellationToken) =>
        [.. (await QueryAsync(
            """
            SELECT a.attname::text FROM pg_index AS i
            JOIN pg_class AS c ON c.oid = i.indrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
            JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary ORDER BY k.position
            """,
            [schema, table], cancellationToken)).Select(r => (string)r[0]!)];

    public override async Task<IReadOnlyList<string>> TablesAsync(string schema, CancellationToken cancellationToken) =>
        [.. (await QueryAsync(
            "SELECT c.relname::text FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
            [schema], cancellationToken)).Select(r => (string)r[0]!).Order(StringComparer.Ordinal)];

    public override async Task<bool> SchemaExistsAsync(string schema, CancellationToken cancellationToken) =>
        (await QueryAsync("SELECT count(*) FROM pg_namespace WHERE nspname = $1", [schema], cancellationToken)).Single()[0] is long n && n > 0;

    private async Task<IReadOnlyList<object?[]>> QueryAsync(string sql, string[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : Read(reader, i);
            }

            rows.Add(values);
        }

        return rows;
    }

    private static object Read(NpgsqlDataReader reader, int i)
    {
        var type = reader.GetDataTypeName(i);
        return type switch
        {
            "date" => reader.GetFieldValue<DateOnly>(i),
            "timestamp with time zone" => reader.GetFieldValue<DateTimeOffset>(i).ToUniversalTime(),
            "timestamp without time zone" => DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Unspecified),
            "jsonb" or "json" or "xml" => reader.GetString(i),
            _ when type.StartsWith("numeric", StringComparison.Ordinal) => reader.GetDecimal(i),
            _ => reader.GetValue(i),
        };
    }
}

using System.Globalization;
using DuckDB.NET.Data;

namespace Tributary.Sdk.Testing;

/// <summary>
/// Reads a DuckDB warehouse file the way a user would, read-only through SQL. Each call opens and closes its
/// own connection, so nothing is held open while the next sync runs.
/// </summary>
/// <remarks>
/// Values come back as DuckDB.NET gives them, normalised for assertions: NULL as <see langword="null"/>, BLOB
/// as <see cref="byte"/>[], TIMESTAMP WITH TIME ZONE as a UTC <see cref="DateTimeOffset"/>.
/// </remarks>
/// <param name="databasePath">The DuckDB file.</param>
public sealed class Warehouse(string databasePath)
{
    /// <summary>The DuckDB file.</summary>
    public string DatabasePath { get; } = databasePath;

    /// <summary>The table's columns in creation order, each with its DuckDB type as <c>information_schema</c> names it, lower case
    /// (<c>integer</c>, <c>decimal(15,2)</c>, <c>timestamp with time zone</c>).</summary>
    public async Task<IReadOnlyList<(string Name, string Type)>> ColumnsAsync(string schema, string table, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position",
            cancellationToken,
            ("schema", schema),
            ("table", table));
        return rows.Select(row => ((string)row["column_name"]!, ((string)row["data_type"]!).ToLowerInvariant())).ToList();
    }

    /// <summary>The column → DuckDB type map of a table (lower case).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ColumnTypesAsync(string schema, string table, CancellationToken cancellationToken) =>
        (await ColumnsAsync(schema, table, cancellationToken)).ToDictionary(column => column.Name, column => column.Type, StringComparer.Ordinal);

    /// <summary>The tables of <paramref name="schema"/>, by name; none before the first sync wrote anything.</summary>
    public async Task<IReadOnlyList<string>> TablesAsync(string schema, CancellationToken cancellationToken)
    {
        if (!File.Exists(DatabasePath))
        {
            return [];
        }

        var rows = await QueryAsync(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $schema ORDER BY table_name",
            cancellationToken,
            ("schema", schema));
        return [.. rows.Select(row => (string)row["table_name"]!)];
    }

    /// <summary>Whether the table exists; false before the first sync wrote anything.</summary>
    public async Task<bool> TableExistsAsync(string schema, string table, CancellationToken cancellationToken)
    {
        if (!File.Exists(DatabasePath))
        {
            return false;
        }

        var rows = await QueryAsync(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $schema AND table_name = $table",
            cancellationToken,
            ("schema", schema),
            ("table", table));
        return Convert.ToInt64(rows[0]["n"], CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Runs a query and returns every row as column name → value.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        if (!File.Exists(DatabasePath))
        {
            throw new InvalidOperationException($"No warehouse at {DatabasePath}: no sync has written anything.");
        }

        await using var connection = new DuckDBConnection($"Data Source={DatabasePath};ACCESS_MODE=READ_ONLY");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

        var rows = new List<IReadOnlyDictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = Normalise(reader.IsDBNull(i) ? null : reader.GetValue(i), reader.GetDataTypeName(i));
            }

            rows.Add(row);
        }

        return rows;
    }

    private static object? Normalise(object? value, string duckDbType) => value switch
    {
        null or DBNull => null,
        Stream stream => ReadAll(stream),
        DateTime timestamp when duckDbType.Equals("TimestampTz", StringComparison.OrdinalIgnoreCase) =>
            new DateTimeOffset(DateTime.SpecifyKind(timestamp, DateTimeKind.Utc)),
        _ => value,
    };

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

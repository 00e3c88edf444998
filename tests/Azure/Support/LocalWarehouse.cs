using System.Globalization;
using DuckDB.NET.Data;

namespace Tributary.Azure.Tests.Support;

/// <summary>Reads a DuckDB warehouse file read-only, one connection per query, nothing held open between syncs.</summary>
public sealed class LocalWarehouse(string databasePath)
{
    public string DatabasePath { get; } = databasePath;

    public async Task<IReadOnlyList<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new DuckDBConnection($"Data Source={DatabasePath};ACCESS_MODE=READ_ONLY");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task<long> ScalarAsync(string sql) => Convert.ToInt64((await QueryAsync(sql))[0][0], CultureInfo.InvariantCulture);

    /// <summary>
    /// Checks every row of the synthetic connector's table in SQL against how the connector makes row i, and returns how many
    /// rows are wrong; also the row count and the number of distinct ids.
    /// </summary>
    public async Task<(long Rows, long DistinctIds, long Wrong)> CheckSyntheticAsync(string schema)
    {
        var table = $"\"{schema}\".\"synthetic_rows\"";
        var rows = await ScalarAsync($"SELECT count(*) FROM {table}");
        var distinct = await ScalarAsync($"SELECT count(DISTINCT id) FROM {table}");
        var wrong = await ScalarAsync(
            $"""
            SELECT count(*) FROM {table}
            WHERE name IS DISTINCT FROM 'name-' || CAST(id AS VARCHAR)
               OR amount IS DISTINCT FROM id * 0.25
               OR flag IS DISTINCT FROM (id % 3 = 0)
               OR created_at IS DISTINCT FROM TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(id)
               OR _tributary_deleted
               OR id < 0
            """);
        return (rows, distinct, wrong);
    }
}

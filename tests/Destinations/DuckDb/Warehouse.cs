using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Testing;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb.Tests;

/// <summary>
/// One test's warehouse: a fresh database file in its own temporary folder, the destination under test, and a
/// second connection that checks the results with plain SQL.
/// </summary>
public sealed class Warehouse : IAsyncDisposable
{
    public const string Schema = "conn";
    public static readonly SystemColumns Sys = SystemColumns.Tributary;
    public static readonly DateTimeOffset T1 = new(2024, 9, 24, 14, 30, 45, TimeSpan.Zero);
    public static readonly DateTimeOffset T2 = new(2024, 9, 25, 8, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset T3 = new(2024, 9, 26, 8, 0, 0, TimeSpan.Zero);

    private readonly string _folder;
    private DuckDBConnection? _query;

    public Warehouse()
    {
        _folder = Path.Combine(Path.GetTempPath(), "tributary-duckdb-" + Guid.NewGuid().ToString("N"));
        DatabasePath = Path.Combine(_folder, "files", "warehouse.db");
        Destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = DatabasePath }, Logger);
    }

    /// <summary>Collects what the destination logs, debug level included.</summary>
    public FakeLogger<DuckDbDestination> Logger { get; } = new();

    /// <summary>How often an upsert's direct append met an existing key and the batch was merged instead.</summary>
    public int DirectAppendConflicts => Logger.Collector.GetSnapshot().Count(r => r.Id.Id == 3004);

    public string DatabasePath { get; }

    public DuckDbDestination Destination { get; }

    /// <summary>A table: the given columns, then the synced and deleted system columns.</summary>
    public static TableSchema Table(string name, string[] key, params (string Name, ColumnType Type)[] columns) =>
        new(name, [.. columns.Select(c => new ColumnSchema(c.Name, c.Type)), .. Sys.Trailing()], key);

    /// <summary>The same table with one more column (before the system columns) or one column's type changed.</summary>
    public static TableSchema With(TableSchema table, string column, ColumnType type)
    {
        var columns = table.Columns.Where(c => c.Name != Sys.Synced && c.Name != Sys.Deleted).ToList();
        var index = columns.FindIndex(c => c.Name == column);
        if (index >= 0)
        {
            columns[index] = new ColumnSchema(column, type);
        }
        else
        {
            columns.Add(new ColumnSchema(column, type));
        }

        return new TableSchema(table.Name, [.. columns, .. Sys.Trailing()], table.PrimaryKey);
    }

    /// <summary>The non-system column names of <paramref name="table"/>, the columns an upsert carries.</summary>
    public static string[] Writable(TableSchema table) =>
        [.. table.Columns.Select(c => c.Name).Where(n => n != Sys.Synced && n != Sys.Deleted)];

    public Task<long> CreateAsync(TableSchema table, params object?[][] rows) =>
        WriteAsync(new WriteBatch(Schema, table, Sys, OperationKind.Upsert, Writable(table), rows,
            [new SchemaChange(SchemaChangeKind.CreateTable, null)], T1));

    public Task<long> UpsertAsync(TableSchema table, DateTimeOffset syncedAt, params object?[][] rows) =>
        WriteAsync(new WriteBatch(Schema, table, Sys, OperationKind.Upsert, Writable(table), rows, [], syncedAt));

    public Task<long> ChangeAsync(OperationKind kind, TableSchema table, string[] columns, DateTimeOffset syncedAt, params object?[][] rows) =>
        WriteAsync(new WriteBatch(Schema, table, Sys, kind, columns, rows, [], syncedAt));

    public Task<long> TruncateAsync(TableSchema table, DateTimeOffset syncedAt) =>
        WriteAsync(new WriteBatch(Schema, table, Sys, OperationKind.Truncate, [], [], [], syncedAt));

    public Task<long> WriteAsync(WriteBatch batch) => Destination.WriteAsync(batch, CancellationToken.None);

    /// <summary>Every row of a query, each as its values.</summary>
    public List<object?[]> Rows(string sql)
    {
        using var command = Query().CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(values);
        }

        return rows;
    }

    /// <summary>The single value of a query.</summary>
    public T? Scalar<T>(string sql)
    {
        using var command = Query().CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), "The query returned no row: " + sql);
        return reader.IsDBNull(0) ? default : reader.GetFieldValue<T>(0);
    }

    public void Execute(string sql)
    {
        using var command = Query().CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private DuckDBConnection Query()
    {
        if (_query is null)
        {
            // Connections to one file in one process share DuckDB's database instance, so this one sees every commit.
            _query = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = DatabasePath }.ConnectionString);
            _query.Open();
            using var command = _query.CreateCommand();
            command.CommandText = "SET SESSION TimeZone = 'UTC'";
            command.ExecuteNonQuery();
        }

        return _query;
    }

    public async ValueTask DisposeAsync()
    {
        await Destination.DisposeAsync();
        _query?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

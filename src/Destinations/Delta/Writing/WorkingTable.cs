using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using DuckSql = Tributary.Destinations.DuckDb.Sql;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// The destination's compute engine: one in-memory DuckDB database in which a batch is applied to the rows of the data
/// files it rewrites. The working table has the Delta table's schema and name, so the DuckDB destination's own statements
/// (<see cref="SchemaChanges"/>, <see cref="RowStatements"/>) apply the batch exactly as they do there; DuckDB then writes
/// the result as Parquet. One table at a time; not thread-safe.
/// </summary>
internal sealed class WorkingTable : IDisposable
{
    private const string ParquetOptions = "FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880";
    private readonly DuckDBConnection _connection;

    /// <summary>Opens the in-memory engine with <paramref name="threads"/> threads.</summary>
    public WorkingTable(int threads)
    {
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        Execute("SET SESSION TimeZone = 'UTC'; " + string.Create(CultureInfo.InvariantCulture, $"SET threads = {threads}; SET preserve_insertion_order = true;"));
    }

    /// <summary>The engine's connection, for statistics over written files.</summary>
    public DuckDBConnection Connection => _connection;

    /// <summary>
    /// Creates the working table for <paramref name="table"/> in <paramref name="schema"/>, empty, replacing the last one;
    /// with the primary key when rows of existing files will be merged into it, without when the batch only appends.
    /// Each column's comment names its Tributary type, as the DuckDB destination keeps it.
    /// </summary>
    public void Create(string schema, TableSchema table, bool withKey)
    {
        var key = new HashSet<string>(table.PrimaryKey, StringComparer.Ordinal);
        var name = DuckSql.Table(schema, table.Name);
        var sql = new StringBuilder()
            .Append("DROP SCHEMA IF EXISTS ").Append(DuckSql.Quote(schema)).Append(" CASCADE;\n")
            .Append("CREATE SCHEMA ").Append(DuckSql.Quote(schema)).Append(";\n")
            .Append("CREATE TABLE ").Append(name).Append(" (")
            .Append(DuckSql.List(table.Columns, c => $"{DuckSql.Quote(c.Name)} {DuckSql.TypeOf(c.Type)}{(key.Contains(c.Name) ? " NOT NULL" : "")}"));
        if (withKey && table.PrimaryKey.Count > 0)
        {
            sql.Append(", PRIMARY KEY (").Append(DuckSql.List(table.PrimaryKey, DuckSql.Quote)).Append(')');
        }

        sql.Append(");\n");
        foreach (var column in table.Columns)
        {
            sql.Append("COMMENT ON COLUMN ").Append(name).Append('.').Append(DuckSql.Quote(column.Name))
                .Append(" IS ").Append(DuckSql.Literal(column.Type.ToString())).Append(";\n");
        }

        Execute(sql.ToString());
    }

    /// <summary>Loads the rows of local Parquet files into the working table, by column name (a file written before a column was added lacks it: NULL).</summary>
    public void Load(string schema, string table, IReadOnlyList<string> files)
    {
        if (files.Count == 0)
        {
            return;
        }

        Execute($"INSERT INTO {DuckSql.Table(schema, table)} BY NAME SELECT * FROM read_parquet([{string.Join(", ", files.Select(DuckSql.Literal))}], union_by_name = true)");
    }

    /// <summary>
    /// Applies the batch to the working table as the DuckDB destination does: schema changes (adds and widenings only), the
    /// truncate, then the rows. <paramref name="merge"/>: the table holds existing rows, so upserts merge by key and updates
    /// and deletes join by key; otherwise upserts are appended and updates and deletes find nothing. Returns the rows the
    /// truncate soft-deleted and the rows applied (upserts, and updates and deletes that found their key).
    /// </summary>
    public (long Truncated, long Applied) Apply(WriteBatch batch, bool merge, CancellationToken cancellationToken)
    {
        SchemaChanges.Apply(_connection, batch);
        var truncated = batch.Truncate ? RowStatements.Truncate(_connection, batch, cancellationToken) : 0;
        var plan = BatchPlan.For(batch);
        long applied = 0;
        if (batch.UpsertCount > 0)
        {
            applied = merge
                ? RowStatements.Merge(_connection, batch, plan, cancellationToken)
                : RowStatements.AppendDirect(_connection, batch, plan, Catalog.ReadColumns(_connection, batch.Schema, batch.Table.Name), cancellationToken);
        }

        if (merge && plan.Modifies.Length > 0)
        {
            applied += RowStatements.Modify(_connection, batch, plan, cancellationToken);
        }

        return (truncated, applied);
    }

    /// <summary>
    /// Which of the local Parquet files holds each of the batch's keys: the batch's keys are staged in a temporary table
    /// (appended in row order into an empty table, so a staged row's <c>rowid</c> is its batch row) and joined to the files' key columns (only those are read). Returns, per batch row, the
    /// index of the file holding its key, or -1 when none does (a key is in at most one active file).
    /// </summary>
    public int[] FileOfRows(WriteBatch batch, IReadOnlyList<string> files)
    {
        var key = batch.Table.PrimaryKey;
        var columns = key.Select((name, i) =>
        {
            var type = batch.Table.Find(name)!.Type;
            return (Name: $"k{i}", Column: name, Type: type, Value: RowAppender.From(batch.Values[batch.IndexOf(name)], type, name, batch.Table.Name));
        }).ToList();
        Execute($"CREATE OR REPLACE TEMP TABLE tributary_probe ({DuckSql.List(columns, c => $"{c.Name} {DuckSql.TypeOf(c.Type)}")})");
        var appender = _connection.CreateAppender("temp", "main", "tributary_probe");
        try
        {
            RowAppender.Append(appender, null, batch.RowCount, [.. columns.Select(c => c.Value)], CancellationToken.None);
            appender.Close();
        }
        finally
        {
            appender.Dispose();
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            index[files[i]] = i;
        }

        var fileOf = new int[batch.RowCount];
        Array.Fill(fileOf, -1);
        var match = string.Join(" AND ", columns.Select(c => $"k.{c.Name} = p.{DuckSql.Quote(c.Column)}"));
        using (var command = _connection.CreateCommand())
        {
            command.CommandText =
                $"SELECT k.rowid, p.filename FROM temp.main.tributary_probe AS k JOIN read_parquet([{string.Join(", ", files.Select(DuckSql.Literal))}], filename = true, union_by_name = true) AS p ON {match}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                fileOf[checked((int)reader.GetInt64(0))] = index[reader.GetString(1)];
            }
        }

        Execute("DROP TABLE temp.main.tributary_probe");
        return fileOf;
    }

    /// <summary>Rows in the working table.</summary>
    public long Count(string schema, string table) =>
        Convert.ToInt64(Scalar($"SELECT count(*) FROM {DuckSql.Table(schema, table)}"), CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the working table, ordered by <paramref name="key"/>, as Parquet files of at most about
    /// <paramref name="targetRows"/> rows into the empty local folder <paramref name="folder"/>; returns their paths in key order.
    /// </summary>
    public IReadOnlyList<string> WriteOut(string schema, string table, IReadOnlyList<string> key, long rows, long targetRows, string folder) =>
        CopyOut($"SELECT * FROM {DuckSql.Table(schema, table)} ORDER BY {DuckSql.List(key, DuckSql.Quote)}", rows, targetRows, folder);

    /// <summary>
    /// Writes the rows of local Parquet files, read one after the other in the order given, as Parquet files like
    /// <see cref="WriteOut"/> does, without loading them: the engine streams them, holding a few row groups at a time. The
    /// working table, empty, gives the columns and their types (a column none of the files has is NULL).
    /// </summary>
    public IReadOnlyList<string> CopyFiles(string schema, string table, IReadOnlyList<string> files, long rows, long targetRows, string folder) =>
        CopyOut(
            $"SELECT * FROM {DuckSql.Table(schema, table)} UNION ALL BY NAME SELECT * FROM read_parquet([{string.Join(", ", files.Select(DuckSql.Literal))}], union_by_name = true)",
            rows, targetRows, folder);

    private IReadOnlyList<string> CopyOut(string select, long rows, long targetRows, string folder)
    {
        if (rows <= targetRows)
        {
            var file = Path.Combine(folder, "part-0.parquet");
            Execute($"COPY ({select}) TO {DuckSql.Literal(file)} ({ParquetOptions})");
            return [file];
        }

        var groups = Math.Max(1, targetRows / 122880);
        Execute(string.Create(CultureInfo.InvariantCulture,
            $"COPY ({select}) TO {DuckSql.Literal(folder)} ({ParquetOptions}, ROW_GROUPS_PER_FILE {groups}, FILENAME_PATTERN 'part-{{i}}', OVERWRITE_OR_IGNORE true)"));
        return [.. Directory.GetFiles(folder, "*.parquet").OrderBy(f => f, StringComparer.Ordinal)];
    }

    /// <summary>Drops the working table's schema.</summary>
    public void Drop(string schema) => Execute($"DROP SCHEMA IF EXISTS {DuckSql.Quote(schema)} CASCADE");

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}

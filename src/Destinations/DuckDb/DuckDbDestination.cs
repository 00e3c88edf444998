using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>
/// Writes batches into a DuckDB database file: one schema per connector, one table per connector table, primary
/// keys as PRIMARY KEY constraints, each column's Tributary type kept in its comment. Rows travel through the
/// DuckDB appender into a temporary staging table and are merged with one set-based statement per batch; the
/// first batch of a new table is appended straight into it. One connection, opened on first use.
/// </summary>
public sealed class DuckDbDestination : IDestination
{
    private const string StageTable = "tributary_stage";
    private const long WidenChunk = 1 << 18;   // rowids a widening reads and converts at a time
    private static readonly string StageRef = "temp.main." + Sql.Quote(StageTable);

    private readonly string _databasePath;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _mergeOnly = new(StringComparer.Ordinal);
    private readonly InitialLoads _loads = new();
    private DuckDBConnection? _connection;
    private bool _disposed;

    /// <summary>
    /// Whether a batch with schema changes is checkpointed once committed, so the change is in the database file and no
    /// longer only in the write-ahead log. On by default; the kill tests turn it off to leave the change in the log.
    /// </summary>
    internal bool CheckpointsAfterSchemaChanges { get; init; } = true;

    /// <summary>Creates the destination; nothing is opened until the first call.</summary>
    /// <param name="options">Where the database file is.</param>
    /// <param name="logger">Receives debug-level notes on each batch; none when omitted.</param>
    /// <exception cref="ArgumentException"><see cref="DuckDbDestinationOptions.DatabasePath"/> is empty.</exception>
    public DuckDbDestination(DuckDbDestinationOptions options, ILogger<DuckDbDestination>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath, nameof(options));
        _databasePath = options.DatabasePath;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = Open();
            _loads.BuildPendingKeys(connection, schema);
            return Catalog.ReadTables(connection, schema);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">DuckDB refused the batch (the message names the table); nothing of it was written.</exception>
    public async Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var table = Sql.Table(batch.Schema, batch.Table.Name);
            var direct = batch.UpsertCount > 0 && !_mergeOnly.Contains(table);
            var loading = _loads.Find(batch.Schema, batch.Table.Name);
            var buildKey = loading is not null && !InitialLoads.AppendsOnly(loading, batch) ? loading : null;
            if (!TryWrite(batch, direct, buildKey, cancellationToken, out var result))
            {
                // Some key already existed. DuckDB aborted the whole transaction, so write the batch again from the
                // start, merging; a table whose batches meet existing keys is merged from then on.
                _mergeOnly.Add(table);
                Log.DirectAppendConflicted(_logger, batch.Schema, batch.Table.Name);
                TryWrite(batch, direct: false, buildKey, cancellationToken, out result);
            }

            if (buildKey is not null)
            {
                _loads.Forget(batch.Schema, batch.Table.Name);
            }
            else if (loading is not null || batch.Changes.Any(c => c.Kind == SchemaChangeKind.CreateTable) && InitialLoads.Defers(batch))
            {
                _loads.Loaded(batch);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            Log.BatchWritten(_logger, batch, batch.RowCount, batch.Schema, batch.Table.Name, result, elapsed.TotalMilliseconds);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes the batch in one transaction: the key of a table that was loading (<paramref name="buildKey"/>), schema
    /// changes, truncate, upsert rows, then update and delete rows. With
    /// <paramref name="direct"/>, the upsert rows are appended straight into the table, which holds only when none of
    /// their keys exists yet; false when one did, and the transaction was rolled back.
    /// </summary>
    private bool TryWrite(WriteBatch batch, bool direct, InitialLoads.Loading? buildKey, CancellationToken cancellationToken, out long result)
    {
        var connection = Open();
        var transaction = connection.BeginTransaction();
        try
        {
            if (buildKey is not null)
            {
                InitialLoads.BuildKey(connection, buildKey.Schema, buildKey.Table, buildKey.Key);
            }

            var created = ApplyChanges(connection, batch);
            var truncated = batch.Truncate ? Truncate(connection, batch, cancellationToken) : 0;
            var plan = BatchPlan.For(batch);
            long applied = 0;
            if (batch.UpsertCount > 0 && (created || direct))
            {
                try
                {
                    applied = AppendDirect(connection, batch, plan, created, cancellationToken);
                }
                catch (DuckDBException ex) when (!created && ex.ErrorType == DuckDBErrorType.Constraint && !cancellationToken.IsCancellationRequested)
                {
                    Rollback(transaction);
                    result = 0;
                    return false;
                }
            }
            else if (batch.UpsertCount > 0)
            {
                applied = Merge(connection, batch, plan, cancellationToken);
            }

            if (plan.Modifies.Length > 0)
            {
                applied += Modify(connection, batch, plan, cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            result = batch.RowCount == 0 ? truncated : applied;
            CheckpointAfterSchemaChanges(connection, batch, keyBuilt: buildKey is not null);
            return true;
        }
        catch (Exception ex)
        {
            Rollback(transaction);
            if (ex is DuckDBException && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The write was cancelled; nothing of the batch was written.", ex, cancellationToken);
            }

            if (ex is DuckDBException duck)
            {
                throw new InvalidOperationException(
                    $"DuckDB could not write the batch ({batch}) to {Sql.Table(batch.Schema, batch.Table.Name)}; nothing of it was written: {duck.Message}",
                    duck);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async Task DropSchemaAsync(string schema, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Execute(Open(), $"DROP SCHEMA IF EXISTS {Sql.Quote(schema)} CASCADE");
            _loads.Forget(schema);
            _mergeOnly.RemoveWhere(table => table.StartsWith(Sql.Quote(schema) + ".", StringComparison.Ordinal));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connection; the database file stays.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            BuildLoadingKeys();
            _disposed = true;
            CloseConnection();
        }
        finally
        {
            _gate.Release();
        }
    }

    // Disposal ends every initial load: the keys are built now, not by the next run. A failure leaves the table marked for it.
    private void BuildLoadingKeys()
    {
        foreach (var schema in _loads.All.Select(l => l.Schema).Distinct(StringComparer.Ordinal))
        {
            try
            {
                _loads.BuildPendingKeys(Open(), schema);
            }
            catch (DuckDBException ex)
            {
                Log.KeyBuildFailed(_logger, schema, ex);
            }
        }
    }

    private DuckDBConnection Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_connection is not null)
        {
            return _connection;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(_databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var builder = new DuckDBConnectionStringBuilder { DataSource = _databasePath };
        var connection = new DuckDBConnection(builder.ConnectionString);
        try
        {
            connection.Open();

            // Nothing here should depend on the machine's zone; should a cast of an instant run, it runs in UTC.
            Execute(connection, "SET SESSION TimeZone = 'UTC'");
        }
        catch (DuckDBException ex) when (ex.Message.Contains("replaying WAL", StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            var wal = Path.GetFullPath(_databasePath) + ".wal";
            throw new InvalidOperationException(
                $"DuckDB cannot open the warehouse {Path.GetFullPath(_databasePath)}: replaying its write-ahead log {wal} failed " +
                $"({ex.Message.ReplaceLineEndings(" ")}). That file holds every row committed since DuckDB's last checkpoint; nothing was " +
                "deleted or moved. To keep those rows, open the warehouse once with a DuckDB version that replays the log (a newer DuckDB CLI) " +
                $"and run CHECKPOINT; to go on without them, move {wal} aside and reset the connectors that wrote to the warehouse since, " +
                "because their saved state is ahead of it.",
                ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Log.Opened(_logger, _databasePath);
        return _connection = connection;
    }

    private void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    private void Rollback(DuckDBTransaction transaction)
    {
        try
        {
            transaction.Rollback();
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            // The connection's transaction state is unknown; start the next call on a fresh connection.
            Log.RollbackFailed(_logger, ex);
            CloseConnection();
        }
    }

    /// <summary>
    /// Applies the batch's schema changes; true when it created the table (it is then empty and final). The changes log
    /// nothing DuckDB must bind again when it replays its write-ahead log (DuckDB 1.5 cannot replay an ALTER with a
    /// <c>USING</c> expression): only DDL, plain casts and rows. The values a widening converts in the engine are written
    /// after every ALTER of the batch, since DuckDB refuses to alter a table the same transaction has updated.
    /// </summary>
    private static bool ApplyChanges(DuckDBConnection connection, WriteBatch batch)
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
                    Execute(connection, CreateTable(schema, table, deferKey: InitialLoads.Defers(batch)));
                    return true;   // the table already has every column of batch.Table; later changes are in it

                case SchemaChangeKind.AddColumn:
                    var added = Column(change);
                    Execute(connection,
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
            Execute(connection, rewrite);
        }

        return false;
    }

    /// <summary>
    /// Checkpoints after a batch with schema changes (or a table's key built) committed, so no change waits in the
    /// write-ahead log for a kill.
    /// </summary>
    private void CheckpointAfterSchemaChanges(DuckDBConnection connection, WriteBatch batch, bool keyBuilt)
    {
        if (batch.Changes.Count == 0 && !keyBuilt || !CheckpointsAfterSchemaChanges)
        {
            return;
        }

        try
        {
            Execute(connection, "CHECKPOINT");
        }
        catch (DuckDBException ex)
        {
            // The batch is committed, and its log replays; DuckDB checkpoints it later.
            Log.CheckpointFailed(_logger, batch.Schema, batch.Table.Name, ex);
        }
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

            Execute(connection, $"ALTER TABLE {target} ALTER COLUMN {Sql.Quote(column.Name)} SET DATA TYPE {physical}");
        }

        Execute(connection, Comment(batch.Schema, table, column));
    }

    /// <summary>
    /// Reads the column's non-NULL values with their rowids, a range of rowids at a time, and appends each converted to
    /// <paramref name="to"/> into a new temporary table (<c>row_id</c>, <c>v</c>); returns the table's name.
    /// </summary>
    private static string StageConverted(DuckDBConnection connection, string target, string column, ColumnType from, ColumnType to, int number)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"tributary_widen_{number}");
        var stage = "temp.main." + Sql.Quote(name);
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE {Sql.Quote(name)} (row_id BIGINT, v {Sql.TypeOf(to)})");
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

    /// <summary>
    /// Appends the upsert rows straight into the table with the synced time and their deleted flag. A table created in
    /// this transaction has its columns in <see cref="WriteBatch.Table"/>'s order; an existing one's are read from the
    /// catalog. A key that exists already fails the append (and aborts the transaction).
    /// </summary>
    private static long AppendDirect(DuckDBConnection connection, WriteBatch batch, BatchPlan plan, bool created, CancellationToken cancellationToken)
    {
        var system = batch.SystemColumns;
        var physical = created ? batch.Table.Columns : Catalog.ReadColumns(connection, batch.Schema, batch.Table.Name);
        var columns = new AppendValue[physical.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            var column = physical[c];
            columns[c] = column.Name == system.Synced ? RowAppender.Constant(batch.SyncedAt)
                : column.Name == system.Deleted ? (batch.DeleteCount == 0 ? RowAppender.Constant(false) : RowAppender.Deleted(batch))
                : IndexOf(batch.Columns, column.Name) is var i and >= 0 ? RowAppender.From(batch.Values[i], column.Type, column.Name, batch.Table.Name)
                : RowAppender.Constant(null);
        }

        AppendInto(connection, null, batch.Schema, batch.Table.Name, plan.Upserts, batch.RowCount, columns, cancellationToken);
        return batch.UpsertCount;
    }

    /// <summary>Stages the upsert rows and merges them: new keys are inserted, existing rows replaced, live or deleted as the row says.</summary>
    private static long Merge(DuckDBConnection connection, WriteBatch batch, BatchPlan plan, CancellationToken cancellationToken)
    {
        var system = batch.SystemColumns;
        var staged = batch.Columns.Select((name, i) => Staged(batch, name, i)).Append((system.Deleted, "BOOLEAN", RowAppender.Deleted(batch)));
        Stage(connection, [.. staged], plan.Upserts, batch.RowCount, cancellationToken);
        var key = batch.Table.PrimaryKey;
        var given = new HashSet<string>(batch.Columns, StringComparer.Ordinal);
        var replaced = batch.Table.Columns
            .Where(c => !key.Contains(c.Name, StringComparer.Ordinal) && c.Name != system.Synced && c.Name != system.Deleted)
            .Select(c => $"{Sql.Quote(c.Name)} = {(given.Contains(c.Name) ? "excluded." + Sql.Quote(c.Name) : "NULL")}")
            .Append($"{Sql.Quote(system.Synced)} = excluded.{Sql.Quote(system.Synced)}")
            .Append($"{Sql.Quote(system.Deleted)} = excluded.{Sql.Quote(system.Deleted)}");

        // ON CONFLICT finds existing rows through the primary key's index; MERGE joins the whole table, which is
        // many times slower once keys are scattered over a large table.
        var columns = Sql.List(batch.Columns, Sql.Quote);
        Execute(connection,
            $"INSERT INTO {Sql.Table(batch.Schema, batch.Table.Name)} ({columns}, {Sql.Quote(system.Synced)}, {Sql.Quote(system.Deleted)})\n" +
            $"SELECT {columns}, $synced, {Sql.Quote(system.Deleted)} FROM {StageRef}\n" +
            $"ON CONFLICT ({Sql.List(key, Sql.Quote)}) DO UPDATE SET {Sql.List(replaced, x => x)}",
            batch.SyncedAt, cancellationToken);
        DropStage(connection);
        return batch.UpsertCount;
    }

    /// <summary>
    /// Stages the update and delete rows and applies them with one statement joined by key: each changed cell, the deleted
    /// flag where the row sets it, the synced time. Returns how many rows matched an existing key.
    /// </summary>
    private static long Modify(DuckDBConnection connection, WriteBatch batch, BatchPlan plan, CancellationToken cancellationToken)
    {
        // Staged columns are named by position ("c3" the value of batch column 3, "m3" whether the row changes it, "d" whether
        // it deletes), so no table column name can clash with them.
        var system = batch.SystemColumns;
        var key = batch.Table.PrimaryKey;
        var staged = new List<(string Name, string Type, AppendValue Value)>();
        foreach (var name in key)
        {
            var i = IndexOf(batch.Columns, name);
            staged.Add(Staged(batch, $"c{i}", i));
        }

        var set = new List<string>();
        foreach (var column in plan.ModifiedColumns)
        {
            var name = Sql.Quote(batch.Columns[column.Index]);
            staged.Add(Staged(batch, $"c{column.Index}", column.Index));
            if (column.Rows == Share.All)
            {
                set.Add($"{name} = s.c{column.Index}");
            }
            else
            {
                staged.Add(($"m{column.Index}", "BOOLEAN", RowAppender.Modified(batch.Values[column.Index])));
                set.Add($"{name} = CASE WHEN s.m{column.Index} THEN s.c{column.Index} ELSE t.{name} END");
            }
        }

        var deleted = Sql.Quote(system.Deleted);
        if (plan.Deletes == Share.All)
        {
            set.Add($"{deleted} = true");
        }
        else if (plan.Deletes == Share.Some)
        {
            staged.Add(("d", "BOOLEAN", RowAppender.Deleted(batch)));
            set.Add($"{deleted} = CASE WHEN s.d THEN true ELSE t.{deleted} END");
        }

        set.Add($"{Sql.Quote(system.Synced)} = $synced");
        Stage(connection, [.. staged], plan.Modifies, batch.RowCount, cancellationToken);
        var match = string.Join(" AND ", key.Select(k => $"t.{Sql.Quote(k)} = s.c{IndexOf(batch.Columns, k)}"));
        var matched = Execute(connection,
            $"UPDATE {Sql.Table(batch.Schema, batch.Table.Name)} AS t SET {string.Join(", ", set)} FROM {StageRef} AS s WHERE {match}",
            batch.SyncedAt, cancellationToken);
        DropStage(connection);
        return matched;
    }

    private static long Truncate(DuckDBConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        var deleted = Sql.Quote(batch.SystemColumns.Deleted);
        return Execute(connection,
            $"UPDATE {Sql.Table(batch.Schema, batch.Table.Name)} SET {deleted} = true, {Sql.Quote(batch.SystemColumns.Synced)} = $synced " +
            $"WHERE NOT coalesce({deleted}, false)",
            batch.SyncedAt, cancellationToken);
    }

    /// <summary>A staged column: its name in the staging table, its DuckDB type, and the appender of batch column <paramref name="index"/>.</summary>
    private static (string Name, string Type, AppendValue Value) Staged(WriteBatch batch, string name, int index)
    {
        var column = batch.Table.Find(batch.Columns[index])
            ?? throw new ArgumentException($"The batch carries column '{batch.Columns[index]}', which table '{batch.Table.Name}' does not have.", nameof(batch));
        return (name, Sql.TypeOf(column.Type), RowAppender.From(batch.Values[index], column.Type, column.Name, batch.Table.Name));
    }

    /// <summary>Creates the temporary staging table with <paramref name="columns"/> and appends the selected rows to it.</summary>
    private static void Stage(DuckDBConnection connection, (string Name, string Type, AppendValue Value)[] columns, int[]? rows, int rowCount, CancellationToken cancellationToken)
    {
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE {Sql.Quote(StageTable)} ({Sql.List(columns, c => $"{Sql.Quote(c.Name)} {c.Type}")})");
        AppendInto(connection, "temp", "main", StageTable, rows, rowCount, [.. columns.Select(c => c.Value)], cancellationToken);
    }

    private static void DropStage(DuckDBConnection connection) => Execute(connection, $"DROP TABLE {StageRef}");

    private static void AppendInto(
        DuckDBConnection connection, string? catalog, string schema, string table, int[]? rows, int rowCount, AppendValue[] columns, CancellationToken cancellationToken)
    {
        var appender = connection.CreateAppender(catalog, schema, table);
        try
        {
            RowAppender.Append(appender, rows, rowCount, columns, cancellationToken);
            appender.Close();
        }
        catch
        {
            // Drop the half-filled chunk before closing, so nothing partial is flushed; the transaction rolls back.
            try
            {
                appender.Clear();
            }
            catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
            {
                // Already closed by the failure; the rollback discards whatever reached the table.
            }

            appender.Dispose();
            throw;
        }
    }

    private static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    internal static int Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>Runs a set-based statement with <c>$synced</c> bound; cancelling interrupts it.</summary>
    private static long Execute(DuckDBConnection connection, string sql, DateTimeOffset synced, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("synced", synced));
        using var interrupt = cancellationToken.Register(static c => ((DuckDBCommand)c!).Cancel(), command);
        return command.ExecuteNonQuery();
    }
}

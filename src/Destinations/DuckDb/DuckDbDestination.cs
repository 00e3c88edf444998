using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Destinations.DuckDb;

/// <summary>
/// Writes batches into a DuckDB database file: one schema per connection, one table per connector table, primary
/// keys as PRIMARY KEY constraints (built after the initial load, see <see cref="InitialLoads"/>), each column's
/// Tributary type kept in its comment. Each batch is one transaction: its schema changes (<see cref="SchemaChanges"/>),
/// then its rows (<see cref="RowStatements"/>), upserts appended straight into the table while their keys are new. A
/// commit that widened a column is checkpointed at once, and so is one that leaves the write-ahead log past 256 MB. One
/// connection, opened on first use.
/// </summary>
public sealed class DuckDbDestination : IDestination
{
    private readonly string _databasePath;
    private readonly int _threads;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _mergeOnly = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fenced = new(StringComparer.Ordinal);   // schemas whose fence table this instance has seen
    private readonly Dictionary<string, IReadOnlyList<ColumnSchema>> _layouts = new(StringComparer.Ordinal);   // tables' columns in DuckDB's order
    private readonly InitialLoads _loads = new();
    private DuckDBConnection? _connection;
    private string? _walPath;   // the open database's write-ahead log
    private bool _disposed;

    /// <summary>
    /// Whether a batch that widens a column is checkpointed once committed, so the change is in the database file and no
    /// longer only in the write-ahead log. On by default; the kill tests turn it off to leave the change in the log.
    /// </summary>
    internal bool CheckpointsAfterWidening { get; init; } = true;

    /// <summary>Bytes of write-ahead log after which a committed batch is checkpointed (<see cref="CheckpointIfDue"/>); tests set fewer.</summary>
    internal long CheckpointLogBytes { get; init; } = 256L << 20;

    /// <summary>Rows a new table loads before its key is built (<see cref="InitialLoads.DefaultMaxRows"/>); tests set fewer.</summary>
    internal long InitialLoadRows
    {
        get => _loads.MaxRows;
        init => _loads = new InitialLoads(value);
    }

    /// <summary>Creates the destination; nothing is opened until the first call.</summary>
    /// <param name="options">Where the database file is, and how many threads DuckDB uses.</param>
    /// <param name="logger">Receives debug-level notes on each batch; none when omitted.</param>
    /// <exception cref="ArgumentException"><see cref="DuckDbDestinationOptions.DatabasePath"/> is empty, or <see cref="DuckDbDestinationOptions.Threads"/> is below one.</exception>
    public DuckDbDestination(DuckDbDestinationOptions options, ILogger<DuckDbDestination>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1, nameof(options));
        _databasePath = options.DatabasePath;
        _threads = options.Threads;
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

            // A merge needs the key: a table still loading builds it first, unless the batch only appends above its keys.
            var buildKey = loading is not null && (!_loads.AppendsOnly(loading, batch) || batch.UpsertCount > 0 && !direct) ? loading : null;
            if (!TryWrite(batch, direct, buildKey, cancellationToken, out var result))
            {
                // Some key already existed. DuckDB aborted the whole transaction, so write the batch again from the
                // start, merging; a table whose batches meet existing keys is merged from then on.
                _mergeOnly.Add(table);
                Log.DirectAppendConflicted(_logger, batch.Schema, batch.Table.Name);
                buildKey = loading;
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
            Fence.Check(connection, batch, create: !_fenced.Contains(batch.Schema));
            if (buildKey is not null)
            {
                InitialLoads.BuildKey(connection, buildKey.Schema, buildKey.Table, buildKey.Key);
            }

            var created = SchemaChanges.Apply(connection, batch);
            var truncated = batch.Truncate ? RowStatements.Truncate(connection, batch, cancellationToken) : 0;
            var plan = BatchPlan.For(batch);
            long applied = 0;
            if (batch.UpsertCount > 0 && (created || direct))
            {
                try
                {
                    applied = RowStatements.AppendDirect(connection, batch, plan, created ? batch.Table.Columns : Layout(connection, batch), cancellationToken);
                }
                catch (DuckDBException ex) when (!created && ex.ErrorType == DuckDBErrorType.Constraint && !cancellationToken.IsCancellationRequested)
                {
                    Rollback(transaction, batch);
                    result = 0;
                    return false;
                }
            }
            else if (batch.UpsertCount > 0)
            {
                applied = RowStatements.Merge(connection, batch, plan, cancellationToken);
            }

            if (plan.Modifies.Length > 0)
            {
                applied += RowStatements.Modify(connection, batch, plan, cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            if (batch.Fence is not null)
            {
                _fenced.Add(batch.Schema);
            }

            result = batch.RowCount == 0 ? truncated : applied;
            CheckpointIfDue(connection, batch);
            return true;
        }
        catch (Exception ex)
        {
            Rollback(transaction, batch);
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
            var prefix = Sql.Quote(schema) + ".";
            _mergeOnly.RemoveWhere(table => table.StartsWith(prefix, StringComparison.Ordinal));
            _fenced.Remove(schema);
            foreach (var table in _layouts.Keys.Where(table => table.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _layouts.Remove(table);
            }
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

    // Disposal ends every initial load: the keys are built now, not by the next run, on every core, since nothing feeds the
    // destination any more (measured with bench/: a million keys in 110-150 ms, against 165-250 ms on one thread). A
    // failure leaves the table marked for the next run.
    private void BuildLoadingKeys()
    {
        foreach (var schema in _loads.All.Select(l => l.Schema).Distinct(StringComparer.Ordinal))
        {
            try
            {
                var connection = Open();
                Execute(connection, string.Create(CultureInfo.InvariantCulture, $"SET threads = {Environment.ProcessorCount}"));
                _loads.BuildPendingKeys(connection, schema);
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

        var path = Path.GetFullPath(_databasePath);
        var wal = path + ".wal";
        var directory = Path.GetDirectoryName(path);
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
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"SET threads = {_threads}"));

            // The destination checkpoints by the log's size itself (CheckpointIfDue); DuckDB's own trigger is off.
            Execute(connection, "SET checkpoint_threshold = '1TB'");
        }
        catch (DuckDBException ex) when (ex.Message.Contains("replaying WAL", StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            throw new InvalidOperationException(
                $"DuckDB cannot open the warehouse {path}: replaying its write-ahead log {wal} failed " +
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
        _walPath = wal;
        return _connection = connection;
    }

    private void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    // Also forgets the table's layout: the batch may have changed it before it was rolled back.
    private void Rollback(DuckDBTransaction transaction, WriteBatch batch)
    {
        _layouts.Remove(Sql.Table(batch.Schema, batch.Table.Name));
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
    /// Checkpoints after a committed batch that widened a column, so no rewrite of a column's values waits in the
    /// write-ahead log for a kill, and after one that leaves the log past <see cref="CheckpointLogBytes"/>; DuckDB's own
    /// trigger is off (<see cref="Open"/>).
    /// <list type="bullet">
    /// <item>A created table, an added column or a built key waits for the next checkpoint: their log replays (the kill
    /// tests show it for every kind of change), and a checkpoint costs in proportion to every table in the file, so one
    /// after each new table or key made a load of many small tables quadratic (bench/).</item>
    /// <item>A checkpoint recompresses every row group updated since the last one, and a change feed's updates and deletes
    /// reach most of them, so the log is let grow well past DuckDB's 16 MB default (bench/ interleaved, a million rows:
    /// 3.8-4.2 s against 6.8-7.0 s).</item>
    /// <item>DuckDB's own trigger also counts what it expects a commit to add; for scattered updates on a large table that
    /// estimate alone passes any threshold, and a table of 6 to 8 million rows was checkpointed every 2 to 6 batches with
    /// 40 MB or less in its log, each checkpoint rewriting the whole table.</item>
    /// </list>
    /// </summary>
    private void CheckpointIfDue(DuckDBConnection connection, WriteBatch batch)
    {
        var widened = CheckpointsAfterWidening && batch.Changes.Any(c => c.Kind == SchemaChangeKind.WidenColumn);
        var log = new FileInfo(_walPath!);
        if (!widened && (!log.Exists || log.Length < CheckpointLogBytes))
        {
            return;
        }

        try
        {
            Execute(connection, "CHECKPOINT");
        }
        catch (DuckDBException ex)
        {
            // The batch is committed, and its log replays; a later checkpoint, or the close, writes it to the file.
            Log.CheckpointFailed(_logger, batch.Schema, batch.Table.Name, ex);
        }
    }

    /// <summary>
    /// The columns of the batch's existing table in their DuckDB order, read from the catalog once and again after a batch
    /// that changes the table's schema (it is read after the change, inside the transaction; a rollback forgets it).
    /// </summary>
    private IReadOnlyList<ColumnSchema> Layout(DuckDBConnection connection, WriteBatch batch)
    {
        var table = Sql.Table(batch.Schema, batch.Table.Name);
        if (batch.Changes.Count > 0 || !_layouts.TryGetValue(table, out var columns))
        {
            _layouts[table] = columns = Catalog.ReadColumns(connection, batch.Schema, batch.Table.Name);
        }

        return columns;
    }

    internal static int Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

}

using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.Postgres;

/// <summary>
/// Writes batches into PostgreSQL (Azure Database for PostgreSQL on Azure, any PostgreSQL locally): one schema per
/// connector, one table per connector table, primary keys as PRIMARY KEY constraints, each column's Tributary type kept
/// in its comment. Each batch is one transaction: its schema changes, then its rows streamed by binary COPY into a
/// temporary staging table and merged with one set-based statement. An upsert of keys that are all new is copied straight
/// into the table instead; when one of its keys exists the copy is rolled back to a savepoint and merged, and the table is
/// merged from then on. Connections come from a pool, opened on first use.
/// </summary>
public sealed class PostgresDestination : IDestination
{
    private const string StageName = "tributary_stage";
    private const string StageTable = "pg_temp." + StageName;
    private const string DirectSavepoint = "tributary_direct_copy";
    private const string WidenTableName = "tributary_widen";
    private const string WidenTable = "pg_temp." + WidenTableName;
    private const string WidenCursor = "tributary_widen_values";
    private const string WidenColumn = "_tributary_widened";
    private const int WidenChunk = 1 << 16;   // values a widening reads and converts at a time

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _mergeOnly = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates the destination; nothing is opened until the first call.</summary>
    /// <param name="options">Where to connect and how to sign in; validated here.</param>
    /// <param name="logger">Receives debug-level notes on each batch; none when omitted.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="PostgresDestinationOptions.Validate"/>).</exception>
    public PostgresDestination(PostgresDestinationOptions options, ILogger<PostgresDestination>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;

        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);

        // Naive timestamps widen to instants as UTC, and timestamps format as UTC, whatever the server's zone.
        builder.ConnectionStringBuilder.Timezone = "UTC";
        if (options.Credential is not null)
        {
            EntraAuthentication.Use(builder, options.Credential, options.TokenScope, options.TokenRefreshInterval);
        }

        Log.Created(_logger, builder.ConnectionStringBuilder.Host, builder.ConnectionStringBuilder.Database, options.Credential is not null);
        _dataSource = builder.Build();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            return await Catalog.ReadTablesAsync(connection, schema, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">PostgreSQL refused the batch, or a value does not fit its column (the message names the table); nothing of it was written.</exception>
    public async Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            long result;
            try
            {
                result = await WriteInTransactionAsync(batch, cancellationToken);
            }
            catch (PostgresException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL could not write the {batch.Kind} batch of {batch.RowCount} rows to {Sql.Table(batch.Schema, batch.Table.Name)}; nothing of it was written: {ex.MessageText}" +
                    (ex.Detail is { Length: > 0 } detail ? $" ({detail})" : "") + (ex.Where is { Length: > 0 } where ? $" [{where}]" : ""),
                    ex);
            }
            catch (NpgsqlException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The write was cancelled; nothing of the batch was written.", ex, cancellationToken);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            Log.BatchWritten(_logger, batch.Kind, batch.RowCount, batch.Schema, batch.Table.Name, result, elapsed.TotalMilliseconds);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task DropSchemaAsync(string schema, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {Sql.Quote(schema)} CASCADE", cancellationToken);
            _mergeOnly.RemoveWhere(table => table.StartsWith(Sql.Quote(schema) + ".", StringComparison.Ordinal));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the pooled connections; the data stays.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            if (!_disposed)
            {
                _disposed = true;
                await _dataSource.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<long> WriteInTransactionAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await ApplyChangesAsync(connection, batch, cancellationToken);
        var target = Sql.Table(batch.Schema, batch.Table.Name);
        var result = batch.Kind switch
        {
            OperationKind.Upsert when batch.RowCount == 0 => 0,
            OperationKind.Upsert when created => await CopyDirectAsync(connection, batch, cancellationToken),
            OperationKind.Upsert when !_mergeOnly.Contains(target) => await TryCopyDirectAsync(connection, transaction, batch, cancellationToken)
                ?? await MergeAsync(connection, batch, cancellationToken),
            OperationKind.Upsert => await MergeAsync(connection, batch, cancellationToken),
            OperationKind.Update => await UpdateAsync(connection, batch, cancellationToken),
            OperationKind.Delete => await DeleteAsync(connection, batch, cancellationToken),
            OperationKind.Truncate => await TruncateAsync(connection, batch, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(batch), batch.Kind, "Unknown operation kind."),
        };

        cancellationToken.ThrowIfCancellationRequested();

        // Not cancellable: once the commit is sent, its outcome must be known.
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    /// <summary>Applies the batch's schema changes; true when it created the table (it is then empty and final).</summary>
    private static async Task<bool> ApplyChangesAsync(NpgsqlConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        var schema = batch.Schema;
        var table = batch.Table;
        var target = Sql.Table(schema, table.Name);
        foreach (var change in batch.Changes)
        {
            switch (change.Kind)
            {
                case SchemaChangeKind.CreateTable:
                    await ExecuteAsync(connection, CreateTable(schema, table), cancellationToken);
                    return true;   // the table already has every column of batch.Table; later changes are in it

                case SchemaChangeKind.AddColumn:
                    var added = Column(change);
                    await ExecuteAsync(connection,
                        $"ALTER TABLE {target} ADD COLUMN {Sql.Quote(added.Name)} {Sql.TypeOf(added.Type)};\n" + Comment(schema, table.Name, added),
                        cancellationToken);
                    break;

                case SchemaChangeKind.WidenColumn:
                    await WidenAsync(connection, batch, Column(change), cancellationToken);
                    break;

                default:
                    throw new ArgumentOutOfRangeException(nameof(batch), change.Kind, "Unknown schema change.");
            }
        }

        return false;
    }

    private static ColumnSchema Column(SchemaChange change) =>
        change.Column ?? throw new ArgumentException($"The {change.Kind} change names no column.", nameof(change));

    private static string CreateTable(string schema, TableSchema table)
    {
        var key = new HashSet<string>(table.PrimaryKey, StringComparer.Ordinal);
        var sql = new StringBuilder()
            .Append("CREATE SCHEMA IF NOT EXISTS ").Append(Sql.Quote(schema)).Append(";\n")
            .Append("CREATE TABLE ").Append(Sql.Table(schema, table.Name)).Append(" (")
            .Append(Sql.List(table.Columns, c => $"{Sql.Quote(c.Name)} {Sql.TypeOf(c.Type)}{(key.Contains(c.Name) ? " NOT NULL" : "")}"));
        if (table.PrimaryKey.Count > 0)
        {
            sql.Append(", PRIMARY KEY (").Append(Sql.List(table.PrimaryKey, Sql.Quote)).Append(')');
        }

        sql.Append(");\n");
        foreach (var column in table.Columns)
        {
            sql.Append(Comment(schema, table.Name, column)).Append('\n');
        }

        return sql.ToString();
    }

    private static string Comment(string schema, string table, ColumnSchema column) =>
        $"COMMENT ON COLUMN {Sql.Table(schema, table)}.{Sql.Quote(column.Name)} IS {Sql.Literal(column.Type.ToString())};";

    /// <summary>
    /// Widens one column. A SQL cast that gives the engine's values (<see cref="Widening.CastsExactly"/>) runs as
    /// <c>ALTER … TYPE</c>. Otherwise the column's values are read back, converted by <see cref="Widening.Convert"/> and
    /// copied into a temporary table, written by ctid into a new column, and the column takes the new column's values as its
    /// new type (which keeps its place, its NOT NULL and its primary key), and the new column is dropped.
    /// </summary>
    private static async Task WidenAsync(NpgsqlConnection connection, WriteBatch batch, ColumnSchema column, CancellationToken cancellationToken)
    {
        var table = batch.Table.Name;
        var target = Sql.Table(batch.Schema, table);
        var current = await Catalog.ReadColumnTypeAsync(connection, batch.Schema, table, column.Name, cancellationToken)
            ?? throw new InvalidOperationException($"Cannot widen column '{column.Name}' of table {target}: the column does not exist.");
        var c = Sql.Quote(column.Name);
        var type = Sql.TypeOf(column.Type);
        var sql = new StringBuilder();
        if (type != Sql.TypeOf(current))
        {
            if (Widening.CastsExactly(current, column.Type))
            {
                sql.Append($"ALTER TABLE {target} ALTER COLUMN {c} TYPE {type} USING {c}::{type};\n");
            }
            else
            {
                await StageConvertedAsync(connection, target, column.Name, current, column.Type, cancellationToken);
                var converted = Sql.Quote(WidenColumn);
                sql.Append($"ALTER TABLE {target} ADD COLUMN {converted} {type};\n")
                    .Append($"UPDATE {target} AS t SET {converted} = s.v FROM {WidenTable} AS s WHERE t.ctid = s.row_id;\n")
                    .Append($"ALTER TABLE {target} ALTER COLUMN {c} TYPE {type} USING {converted};\n")
                    .Append($"ALTER TABLE {target} DROP COLUMN {converted};\n")
                    .Append($"DROP TABLE {WidenTable};\n");
            }
        }

        await ExecuteAsync(connection, sql.Append(Comment(batch.Schema, table, column)).ToString(), cancellationToken);
    }

    /// <summary>
    /// Reads the column's non-NULL values with their ctids through a cursor, a chunk at a time, and copies each converted to
    /// <paramref name="to"/> into a new temporary table <see cref="WidenTable"/> (<c>row_id</c>, <c>v</c>).
    /// </summary>
    private static async Task StageConvertedAsync(NpgsqlConnection connection, string target, string column, ColumnType from, ColumnType to, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection,
            $"CREATE TEMPORARY TABLE {WidenTableName} (row_id tid, v {Sql.TypeOf(to)}) ON COMMIT DROP;\n" +
            $"DECLARE {WidenCursor} NO SCROLL CURSOR FOR SELECT ctid, {Sql.Quote(column)} FROM {target} WHERE {Sql.Quote(column)} IS NOT NULL",
            cancellationToken);
        var rows = new List<NpgsqlTid>(WidenChunk);
        var values = ColumnVector.Create(to);
        do
        {
            rows.Clear();
            values.Clear();
            await using (var fetch = new NpgsqlCommand($"FETCH FORWARD {WidenChunk} FROM {WidenCursor}", connection))
            await using (var reader = await fetch.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(reader.GetFieldValue<NpgsqlTid>(0));
                    values.Append(ConvertStored(reader.GetValue(1), from, to, column, target));
                }
            }

            CopyValue[] columns =
            [
                (importer, i, token) => importer.WriteAsync(rows[i], NpgsqlDbType.Tid, token),
                RowCopier.From(values, to, "v", WidenTableName),
            ];
            await RowCopier.CopyAsync(connection, $"COPY {WidenTable} FROM STDIN (FORMAT BINARY)", rows.Count, columns, cancellationToken);
        }
        while (rows.Count == WidenChunk);

        await ExecuteAsync(connection, $"CLOSE {WidenCursor}", cancellationToken);
    }

    /// <summary>A value as Npgsql returns it, converted by the engine from the column's old type to its new one.</summary>
    private static object? ConvertStored(object stored, ColumnType from, ColumnType to, string column, string target)
    {
        try
        {
            return Widening.Convert(stored, from, to);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"Cannot widen column '{column}' of table {target} from {from} to {to}: its value {stored} does not convert: {ex.Message}", ex);
        }
    }

    /// <summary>Copies an upsert's rows straight into the table with the synced time and a cleared deleted flag.</summary>
    private static async Task<long> CopyDirectAsync(NpgsqlConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        var system = batch.SystemColumns;
        var columns = Columns(batch).Append(RowCopier.Constant(batch.SyncedAt)).Append(RowCopier.Constant(false)).ToArray();
        var names = Sql.List(batch.Columns.Append(system.Synced).Append(system.Deleted), Sql.Quote);
        await RowCopier.CopyAsync(connection, $"COPY {Sql.Table(batch.Schema, batch.Table.Name)} ({names}) FROM STDIN (FORMAT BINARY)",
            batch.RowCount, columns, cancellationToken);
        return batch.RowCount;
    }

    /// <summary>
    /// Copies an upsert straight into an existing table, which holds only when none of its keys exists yet; <see langword="null"/>
    /// when one did: the copy is rolled back to a savepoint and the table is merged from then on.
    /// </summary>
    private async Task<long?> TryCopyDirectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, WriteBatch batch, CancellationToken cancellationToken)
    {
        await transaction.SaveAsync(DirectSavepoint, cancellationToken);
        try
        {
            var count = await CopyDirectAsync(connection, batch, cancellationToken);
            await transaction.ReleaseAsync(DirectSavepoint, cancellationToken);
            return count;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && !cancellationToken.IsCancellationRequested)
        {
            await transaction.RollbackAsync(DirectSavepoint, cancellationToken);
            _mergeOnly.Add(Sql.Table(batch.Schema, batch.Table.Name));
            Log.DirectCopyConflicted(_logger, batch.Schema, batch.Table.Name);
            return null;
        }
    }

    /// <summary>Stages the rows and merges them: new keys are inserted, existing rows replaced and revived.</summary>
    private static async Task<long> MergeAsync(NpgsqlConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        var system = batch.SystemColumns;
        await StageAsync(connection, batch, cancellationToken);
        var key = batch.Table.PrimaryKey;
        var given = new HashSet<string>(batch.Columns, StringComparer.Ordinal);
        var replaced = batch.Table.Columns
            .Where(c => !key.Contains(c.Name, StringComparer.Ordinal) && c.Name != system.Synced && c.Name != system.Deleted)
            .Select(c => $"{Sql.Quote(c.Name)} = {(given.Contains(c.Name) ? "excluded." + Sql.Quote(c.Name) : "NULL")}")
            .Append($"{Sql.Quote(system.Synced)} = excluded.{Sql.Quote(system.Synced)}")
            .Append($"{Sql.Quote(system.Deleted)} = false");
        await ExecuteAsync(connection,
            $"INSERT INTO {Sql.Table(batch.Schema, batch.Table.Name)} ({Sql.List(batch.Columns, Sql.Quote)}, {Sql.Quote(system.Synced)}, {Sql.Quote(system.Deleted)})\n" +
            $"SELECT {Sql.List(batch.Columns, Sql.Quote)}, $1, false FROM {StageTable}\n" +
            $"ON CONFLICT ({Sql.List(key, Sql.Quote)}) DO UPDATE SET {Sql.List(replaced, x => x)}",
            batch.SyncedAt, cancellationToken);
        return batch.RowCount;
    }

    private static async Task<long> UpdateAsync(NpgsqlConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        if (batch.RowCount == 0)
        {
            return 0;
        }

        await StageAsync(connection, batch, cancellationToken);
        var key = batch.Table.PrimaryKey;
        var changed = batch.Columns
            .Where(c => !key.Contains(c, StringComparer.Ordinal))
            .Select(c => $"{Sql.Quote(c)} = s.{Sql.Quote(c)}")
            .Append($"{Sql.Quote(batch.SystemColumns.Synced)} = $1");
        return await ExecuteAsync(connection,
            $"UPDATE {Sql.Table(batch.Schema, batch.Table.Name)} AS t SET {Sql.List(changed, x => x)} FROM {StageTable} AS s WHERE {KeyMatch(key)}",
            batch.SyncedAt, cancellationToken);
    }

    private static async Task<long> DeleteAsync(NpgsqlConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        if (batch.RowCount == 0)
        {
            return 0;
        }

        await StageAsync(connection, batch, cancellationToken);
        var system = batch.SystemColumns;
        return await ExecuteAsync(connection,
            $"UPDATE {Sql.Table(batch.Schema, batch.Table.Name)} AS t SET {Sql.Quote(system.Deleted)} = true, {Sql.Quote(system.Synced)} = $1 " +
            $"FROM {StageTable} AS s WHERE {KeyMatch(batch.Table.PrimaryKey)}",
            batch.SyncedAt, cancellationToken);
    }

    private static Task<long> TruncateAsync(NpgsqlConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        var deleted = Sql.Quote(batch.SystemColumns.Deleted);
        return ExecuteAsync(connection,
            $"UPDATE {Sql.Table(batch.Schema, batch.Table.Name)} SET {deleted} = true, {Sql.Quote(batch.SystemColumns.Synced)} = $1 " +
            $"WHERE NOT coalesce({deleted}, false)",
            batch.SyncedAt, cancellationToken);
    }

    /// <summary>Creates the temporary staging table with the batch's columns (dropped at commit) and copies the batch's rows into it.</summary>
    private static async Task StageAsync(NpgsqlConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        var columns = Columns(batch);
        var definitions = batch.Columns.Select(name => $"{Sql.Quote(name)} {Sql.TypeOf(batch.Table.Find(name)!.Type)}");
        await ExecuteAsync(connection, $"CREATE TEMPORARY TABLE {StageName} ({Sql.List(definitions, x => x)}) ON COMMIT DROP", cancellationToken);
        await RowCopier.CopyAsync(connection, $"COPY {StageTable} FROM STDIN (FORMAT BINARY)", batch.RowCount, columns, cancellationToken);
    }

    /// <summary>A copier for each of the batch's columns, checked against the table's types.</summary>
    private static CopyValue[] Columns(WriteBatch batch)
    {
        var columns = new CopyValue[batch.Columns.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var name = batch.Columns[i];
            var column = batch.Table.Find(name)
                ?? throw new ArgumentException($"The batch carries column '{name}', which table '{batch.Table.Name}' does not have.", nameof(batch));
            columns[i] = RowCopier.From(batch.Values[i], column.Type, name, batch.Table.Name);
        }

        return columns;
    }

    private static string KeyMatch(IReadOnlyList<string> key) =>
        string.Join(" AND ", key.Select(k => $"t.{Sql.Quote(k)} = s.{Sql.Quote(k)}"));

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs a set-based statement with <c>$1</c> bound to the synced time; cancelling interrupts it.</summary>
    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, string sql, DateTimeOffset synced, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = synced.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

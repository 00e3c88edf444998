using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.Relational;

/// <summary>Receives one source row (column name → value, NULL as null) and emits the operation it stands for.</summary>
internal delegate ValueTask RowHandler(IReadOnlyDictionary<string, object?> row, CancellationToken cancellationToken);

/// <summary>
/// Reads tables incrementally through ADO.NET, the same way for every dialect: rows in (replication key, primary key)
/// order, a page at a time, each page starting after the last row read (a keyset cursor, so rows that share a
/// replication-key value are told apart by their primary key and none is skipped or read twice at a page or checkpoint
/// boundary), a checkpoint every <see cref="RelationalSettings.CheckpointInterval"/> rows and at the end of each table.
/// Each table's bookmark lives in the state under the table's name, beside whatever else the connector keeps there.
/// </summary>
internal sealed partial class IncrementalTableReader(DbConnection connection, SqlDialect dialect, RelationalSettings settings, SyncContext context)
{
    /// <summary>The whole state as this sync advances it: the saved state, each table's bookmark replaced as it moves.</summary>
    private readonly JsonObject _state = context.State.DeepClone().AsObject();

    /// <summary>Reads <paramref name="table"/> from its bookmark to its end, handing each row to <paramref name="emit"/>.</summary>
    /// <returns>The number of rows read.</returns>
    public async Task<long> ReadAsync(SourceTable table, RowHandler emit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(emit);
        var qualified = dialect.Qualify(table.Schema, table.SourceName);
        var types = await ColumnTypesAsync(table, qualified, cancellationToken);
        var bookmark = SavedBookmark(table, types);
        LogReading(context.Logger, table.Name, dialect.Name, bookmark is null ? "the start" : "its bookmark");

        long rows = 0;
        var sinceCheckpoint = 0;
        var pages = 0;
        while (true)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = dialect.SelectPage(qualified, table.OrderColumns, bookmark is not null, settings.PageSize);
            for (var i = 0; bookmark is not null && i < bookmark.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = SqlDialect.ParameterName(i);
                dialect.Bind(parameter, bookmark[i]);
                command.Parameters.Add(parameter);
            }

            var inPage = 0;
            await using (var reader = await ExecuteAsync(command, table, cancellationToken))
            {
                var ordinals = table.OrderColumns.Select(reader.GetOrdinal).ToArray();
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = Row(reader);
                    var last = new object[ordinals.Length];
                    for (var i = 0; i < ordinals.Length; i++)
                    {
                        last[i] = reader.IsDBNull(ordinals[i])
                            ? throw new ConfigurationException(
                                $"Table {qualified} has a row with NULL in '{table.OrderColumns[i]}'. The incremental read orders and resumes by " +
                                $"{string.Join(", ", table.OrderColumns)}: make them NOT NULL or choose another replication key.")
                            : reader.GetValue(ordinals[i]);
                    }

                    await emit(row, cancellationToken);
                    bookmark = last;
                    rows++;
                    inPage++;
                    if (++sinceCheckpoint >= settings.CheckpointInterval)
                    {
                        await CheckpointAsync(table, bookmark, cancellationToken);
                        sinceCheckpoint = 0;
                    }
                }
            }

            pages++;
            if (inPage < settings.PageSize)
            {
                break;
            }
        }

        await CheckpointAsync(table, bookmark, cancellationToken);
        LogRead(context.Logger, table.Name, rows, pages);
        return rows;
    }

    private async Task CheckpointAsync(SourceTable table, object[]? bookmark, CancellationToken cancellationToken)
    {
        JsonObject? values = null;
        if (bookmark is not null)
        {
            values = [];
            for (var i = 0; i < bookmark.Length; i++)
            {
                values[table.OrderColumns[i]] = BookmarkValues.ToJson(bookmark[i]);
            }
        }

        _state[table.Name] = new JsonObject
        {
            ["replication_key"] = new JsonArray([.. table.ReplicationKey.Select(c => JsonValue.Create(c))]),
            ["bookmark"] = values,
        };
        await context.CheckpointAsync(_state.DeepClone(), cancellationToken);
    }

    /// <summary>The saved bookmark as parameter values of the columns' types; null to read from the start.</summary>
    private object[]? SavedBookmark(SourceTable table, Dictionary<string, Type> types)
    {
        if (_state[table.Name] is not JsonObject entry)
        {
            return null;
        }

        var saved = entry.Deserialize<TableBookmark>();
        if (saved?.Bookmark is null)
        {
            return null;
        }

        if (!saved.ReplicationKey.SequenceEqual(table.ReplicationKey, StringComparer.Ordinal))
        {
            // A bookmark on other columns says nothing about this order: read the table again (upserts are idempotent).
            LogReplicationKeyChanged(context.Logger, table.Name, string.Join(", ", saved.ReplicationKey), string.Join(", ", table.ReplicationKey));
            return null;
        }

        return [.. table.OrderColumns.Select(column => saved.Bookmark[column] is { } value
            ? BookmarkValues.FromJson(value, types[column])
            : throw new InvalidOperationException($"The saved bookmark of table {table.Name} has no value for '{column}'. Reset the state of this table."))];
    }

    /// <summary>The table's columns and their CLR types, from a query that returns no row; checks the key columns exist.</summary>
    private async Task<Dictionary<string, Type>> ColumnTypesAsync(SourceTable table, string qualified, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SqlDialect.SelectNoRows(qualified);
        await using var reader = await ExecuteAsync(command, table, cancellationToken);
        var types = new Dictionary<string, Type>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            types[reader.GetName(i)] = reader.GetFieldType(i);
        }

        var missing = table.OrderColumns.Where(column => !types.ContainsKey(column)).ToList();
        return missing.Count == 0
            ? types
            : throw new ConfigurationException(
                $"Table {qualified} in {dialect.Name} at {settings.Target} has no column {string.Join(", ", missing.Select(c => $"'{c}'"))} " +
                $"(replication key: {string.Join(", ", table.ReplicationKey)}; primary key: {string.Join(", ", table.PrimaryKey)}).");
    }

    private async Task<DbDataReader> ExecuteAsync(DbCommand command, SourceTable table, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (DbException ex) when (dialect.IsUndefinedObject(ex))
        {
            throw new ConfigurationException(
                $"{dialect.Name} at {settings.Target} cannot read table {dialect.Qualify(table.Schema, table.SourceName)}: {ex.Message}", ex);
        }
    }

    private static Dictionary<string, object?> Row(DbDataReader reader)
    {
        var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i)
                ? null
                : string.Equals(reader.GetDataTypeName(i), "date", StringComparison.OrdinalIgnoreCase)
                    ? DateOnly.FromDateTime(reader.GetDateTime(i))
                    : reader.GetValue(i);
        }

        return row;
    }

    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Reading {Table} from {Dialect} from {Position}")]
    private static partial void LogReading(ILogger logger, string table, string dialect, string position);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "Read {Rows} rows of {Table} in {Pages} pages")]
    private static partial void LogRead(ILogger logger, string table, long rows, int pages);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "The replication key of {Table} changed from ({Saved}) to ({Configured}): reading it again from the start")]
    private static partial void LogReplicationKeyChanged(ILogger logger, string table, string saved, string configured);
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tributary.Connectors.Relational;
using Tributary.Sdk;

namespace Tributary.Connectors.UpdateAndDelete;

/// <summary>
/// Two PostgreSQL tables with composite primary keys, read incrementally by their replication keys: a row changed in
/// the source is read again and replaces its row in the destination, and a row deleted in the source — whose keys an
/// <c>AFTER DELETE</c> trigger writes to the <c>deleted_rows</c> log table — is soft-deleted by its composite key.
/// </summary>
[Connector("update_and_delete", Description = "PostgreSQL tables with composite keys: changed rows replaced, deleted rows (from a trigger-fed log) soft-deleted.")]
public sealed partial class UpdateAndDeleteConnector : Connector
{
    /// <summary>The log an <c>AFTER DELETE</c> trigger fills with each deleted row's table and primary key (README has the DDL).</summary>
    internal const string DeletedRows = "deleted_rows";

    private static readonly IReadOnlyList<(string Name, string[] PrimaryKey, string[] ReplicationKey)> Tables =
    [
        ("product_inventory", ["product_id", "warehouse_id"], ["last_updated"]),
        ("sample_table", ["id", "department_id"], ["updated_at"]),
    ];

    /// <inheritdoc />
    /// <remarks>The key columns are declared INT, as the originals' READMEs give them: a delete's keys come from the log's
    /// JSON, whose numbers would otherwise be taken for LONG.</remarks>
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        Tables.Select(t => new TableDefinition(t.Name)
        {
            PrimaryKey = t.PrimaryKey,
            Columns = t.PrimaryKey.ToDictionary(column => column, _ => ColumnType.Int),
        });

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = RelationalSettings.Read(context.Configuration, defaultPort: 5432, defaultPageSize: 1000, defaultCheckpointInterval: 1000);
        var schema = context.Configuration.GetString("schema", "public");
        var password = await context.GetSecretAsync("password", cancellationToken);
        var dialect = PostgreSqlDialect.PostgreSql;
        await using var source = PostgreSqlSource.Create(settings, password, context.Configuration, SslMode.Prefer, redshift: false);
        await using var connection = source.CreateConnection();
        await dialect.OpenAsync(connection, settings.Target, cancellationToken);

        var reader = new IncrementalTableReader(connection, dialect, settings, context);

        // Deletes first: a row deleted and then inserted again with the same key since the last sync is deleted, then
        // revived by the table's read; the other order would leave a live source row soft-deleted.
        var log = SourceTable.Named(DeletedRows, schema, ["deleted_at"], ["log_id"]);
        await reader.ReadAsync(log, (row, ct) => DeleteAsync(context, row, ct), cancellationToken);

        foreach (var (name, primaryKey, replicationKey) in Tables)
        {
            var table = SourceTable.Named(name, schema, replicationKey, primaryKey);
            await reader.ReadAsync(table, (row, ct) => context.UpsertAsync(name, row, ct), cancellationToken);
        }
    }

    /// <summary>Soft-deletes the row a <c>deleted_rows</c> entry names, by its whole composite key.</summary>
    private static ValueTask DeleteAsync(SyncContext context, IReadOnlyDictionary<string, object?> entry, CancellationToken cancellationToken)
    {
        var table = entry["table_name"] as string;
        var definition = Tables.FirstOrDefault(t => t.Name == table);
        if (definition.Name is null)
        {
            LogOtherTable(context.Logger, table ?? "(null)");
            return ValueTask.CompletedTask;
        }

        var keys = entry["keys"] is string json ? JsonNode.Parse(json) as JsonObject : null;
        if (keys is null || definition.PrimaryKey.Any(column => keys[column] is null))
        {
            throw new InvalidOperationException(
                $"{DeletedRows} entry {entry["log_id"]} for {table} lacks part of its primary key ({string.Join(", ", definition.PrimaryKey)}): " +
                $"the trigger must log every key column. Keys: {entry["keys"]}");
        }

        return context.DeleteAsync(table!, keys, cancellationToken);
    }

    [LoggerMessage(EventId = 2510, Level = LogLevel.Debug, Message = "Skipped a deleted row of {Table}, a table this connector does not sync")]
    private static partial void LogOtherTable(ILogger logger, string table);
}

using Npgsql;
using Tributary.Connectors.Relational;
using Tributary.Sdk;

namespace Tributary.Connectors.KeyBasedReplication;

/// <summary>
/// Key-based incremental replication from PostgreSQL: each configured table has its own replication key (one column or
/// several) and its own bookmark in the state; each sync reads only the rows whose (replication key, primary key) comes
/// after the bookmark. The source soft-deletes: a row whose <c>soft_delete_column</c> is true becomes a delete.
/// </summary>
[Connector("key_based_replication", Description = "Key-based incremental replication from PostgreSQL: a replication key and bookmark per table, source soft deletes as deletes.")]
public sealed class KeyBasedReplicationConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        TableList.Read(configuration, schema: null).Select(t => new TableDefinition(t.Name) { PrimaryKey = t.PrimaryKey });

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = RelationalSettings.Read(context.Configuration, defaultPort: 5432, defaultPageSize: 1000, defaultCheckpointInterval: 1000);
        var tables = TableList.Read(context.Configuration, context.Configuration.GetString("schema", "public"));
        var softDelete = context.Configuration.GetString("soft_delete_column", "is_deleted");
        var password = await context.GetSecretAsync("password", cancellationToken);
        var dialect = PostgreSqlDialect.PostgreSql;
        await using var source = PostgreSqlSource.Create(settings, password, context.Configuration, SslMode.Prefer, redshift: false);
        await using var connection = source.CreateConnection();
        await dialect.OpenAsync(connection, settings.Target, cancellationToken);

        var reader = new IncrementalTableReader(connection, dialect, settings, context);
        foreach (var table in tables)
        {
            await reader.ReadAsync(table, (row, ct) => EmitAsync(context, table, softDelete, row, ct), cancellationToken);
        }
    }

    /// <summary>A live row is upserted whole; a row the source marked deleted is soft-deleted by its primary key.</summary>
    private static ValueTask EmitAsync(SyncContext context, SourceTable table, string softDelete, IReadOnlyDictionary<string, object?> row, CancellationToken cancellationToken) =>
        row.TryGetValue(softDelete, out var deleted) && deleted is true
            ? context.DeleteAsync(table.Name, table.PrimaryKey.ToDictionary(column => column, column => row[column]), cancellationToken)
            : context.UpsertAsync(table.Name, row, cancellationToken);
}

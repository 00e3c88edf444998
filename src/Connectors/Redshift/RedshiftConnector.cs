using Npgsql;
using Tributary.Connectors.Relational;
using Tributary.Sdk;

namespace Tributary.Connectors.Redshift;

/// <summary>
/// Amazon Redshift's <c>customers</c> table read incrementally by <c>updated_at</c>, through Npgsql (Redshift speaks
/// PostgreSQL's protocol) with type loading off, a page of rows at a time with a checkpoint every
/// <c>checkpoint_interval</c> rows. The SQL is the part of PostgreSQL's that Redshift accepts.
/// </summary>
[Connector("redshift", Description = "Amazon Redshift's customers table read incrementally by updated_at through Npgsql, keyset pages and periodic checkpoints.")]
public sealed class RedshiftConnector : Connector
{
    private const string Table = "customers";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["customer_id"],
            Columns = new Dictionary<string, ColumnType> { ["customer_id"] = ColumnType.Int, ["updated_at"] = ColumnType.UtcDateTime },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = RelationalSettings.Read(context.Configuration, defaultPort: 5439, defaultPageSize: 10_000, defaultCheckpointInterval: 10_000);
        var schema = context.Configuration.GetString("schema", "public");
        var password = await context.GetSecretAsync("password", cancellationToken);
        var dialect = PostgreSqlDialect.Redshift;
        await using var source = PostgreSqlSource.Create(settings, password, context.Configuration, SslMode.Require, redshift: true);
        await using var connection = source.CreateConnection();
        await dialect.OpenAsync(connection, settings.Target, cancellationToken);

        var reader = new IncrementalTableReader(connection, dialect, settings, context);
        await reader.ReadAsync(
            SourceTable.Named(Table, schema, ["updated_at"], ["customer_id"]),
            (row, ct) => context.UpsertAsync(Table, row, ct),
            cancellationToken);
    }
}

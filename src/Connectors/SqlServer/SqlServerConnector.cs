using Microsoft.Data.SqlClient;
using Tributary.Connectors.Relational;
using Tributary.Sdk;

namespace Tributary.Connectors.SqlServer;

/// <summary>
/// SQL Server's <c>employee_details</c> read incrementally by <c>updated_time</c> through Microsoft.Data.SqlClient: the
/// shared incremental reader (the one the PostgreSQL examples' tests exercise) with SQL Server's dialect — bracketed
/// identifiers, <c>TOP (n)</c>, bookmarks sent as <c>datetime2</c>.
/// </summary>
[Connector("sql_server", Description = "SQL Server's employee_details read incrementally by updated_time through Microsoft.Data.SqlClient.")]
public sealed class SqlServerConnector : Connector
{
    private const string Table = "employee_details";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["employee_id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["employee_id"] = ColumnType.Int,
                ["hire_date"] = ColumnType.NaiveDate,
                ["salary"] = ColumnType.Long,
                ["updated_time"] = ColumnType.NaiveDateTime,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The original reads 100 rows at a time and checkpoints every 1,000.
        var settings = RelationalSettings.Read(context.Configuration, defaultPort: 1433, defaultPageSize: 100, defaultCheckpointInterval: 1000);
        var schema = context.Configuration.GetString("schema", "dbo");
        var password = await context.GetSecretAsync("password", cancellationToken);
        var dialect = SqlServerDialect.Instance;
        await using var connection = new SqlConnection(SqlServerSource.ConnectionString(settings, password, context.Configuration));
        await dialect.OpenAsync(connection, settings.Target, cancellationToken);

        var reader = new IncrementalTableReader(connection, dialect, settings, context);
        await reader.ReadAsync(
            SourceTable.Named(Table, schema, ["updated_time"], ["employee_id"]),
            (row, ct) => context.UpsertAsync(Table, row, ct),
            cancellationToken);
    }
}

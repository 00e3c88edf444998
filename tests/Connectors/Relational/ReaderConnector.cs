using Tributary.Connectors.Relational;
using Tributary.Sdk;

namespace Tributary.Connectors.Tests.Relational;

/// <summary>The shared reader alone over one PostgreSQL table, upserting each row; fails like a crashed process after
/// <paramref name="failAfterRows"/> rows when given.</summary>
internal sealed class ReaderConnector(SourceTable table, int? failAfterRows = null) : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(table.Name) { PrimaryKey = table.PrimaryKey }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var settings = RelationalSettings.Read(context.Configuration, 5432, 1000, 1000);
        var password = await context.GetSecretAsync("password", cancellationToken);
        await using var source = PostgreSqlSource.Create(settings, password, context.Configuration, Npgsql.SslMode.Disable, redshift: false);
        await using var connection = source.CreateConnection();
        await PostgreSqlDialect.PostgreSql.OpenAsync(connection, settings.Target, cancellationToken);
        var rows = 0;
        var reader = new IncrementalTableReader(connection, PostgreSqlDialect.PostgreSql, settings, context);
        await reader.ReadAsync(table, async (row, ct) =>
        {
            if (++rows > failAfterRows)
            {
                throw new InvalidOperationException($"Killed after {failAfterRows} rows.");
            }

            await context.UpsertAsync(table.Name, row, ct);
        }, cancellationToken);
    }
}

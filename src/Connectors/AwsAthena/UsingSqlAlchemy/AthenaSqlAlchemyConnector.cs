using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.AwsAthena.UsingSqlAlchemy;

/// <summary>
/// Athena as a database: the original hands SQL to SQLAlchemy (PyAthena underneath) and fetches rows through a cursor, by
/// column, never seeing the API calls. Here <see cref="RowsAsync"/> is that cursor: it runs the query (start, wait, pages)
/// and yields rows by column name. As in the original, the sync reads the table whole and checkpoints once at the end;
/// rows gone from Athena show as deleted (the snapshot soft-deletes what the last one wrote).
/// </summary>
[Connector("aws_athena_using_sqlalchemy", Description = "An Athena table read as a database, rows streamed by a cursor over Athena's JSON API (Signature V4), one checkpoint per snapshot.")]
public sealed partial class AthenaSqlAlchemyConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => AthenaCustomers.Schema();

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = AthenaSettings.Read(context.Configuration, AthenaSettings.MaxPageSize);
        using var athena = new AthenaClient(context, settings, await AthenaClient.CredentialsAsync(context, cancellationToken));

        var rows = 0;
        var truncated = false;
        await foreach (var row in RowsAsync(athena, AthenaCustomers.Query(settings), cancellationToken))
        {
            if (!truncated)
            {
                // Only once the query has answered: a failed query leaves the last snapshot as it was.
                await context.TruncateAsync(AthenaCustomers.Table, cancellationToken);
                truncated = true;
            }

            await AthenaCustomers.UpsertAsync(context, row, cancellationToken);
            rows++;
        }

        if (!truncated)
        {
            await context.TruncateAsync(AthenaCustomers.Table, cancellationToken);   // the table is empty now
        }

        LogRead(context.Logger, rows);
        await context.CheckpointAsync(context.State, cancellationToken);
    }

    /// <summary>The rows of <paramref name="sql"/>, as a database cursor gives them: by column name, fetched a page at a time.</summary>
    private static async IAsyncEnumerable<Dictionary<string, object?>> RowsAsync(
        AthenaClient athena,
        string sql,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var queryExecutionId = await athena.StartQueryAsync(sql, cancellationToken);
        await athena.WaitAsync(queryExecutionId, cancellationToken);
        string? nextToken = null;
        do
        {
            var page = await athena.GetResultsAsync(queryExecutionId, nextToken, cancellationToken);
            foreach (var row in page.Rows)
            {
                yield return row;
            }

            nextToken = page.NextToken;
        }
        while (nextToken is not null);
    }

    [LoggerMessage(EventId = 2720, Level = LogLevel.Information, Message = "Read {Rows} rows from Athena")]
    private static partial void LogRead(ILogger logger, int rows);
}

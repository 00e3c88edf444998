using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.AwsAthena.UsingBoto3;

/// <summary>
/// Athena through its API calls, step by step, as the original does with boto3: <c>StartQueryExecution</c>, then
/// <c>GetQueryExecution</c> until the query is done (awaited waits on the sync's clock with backoff, no thread held), then
/// <c>GetQueryResults</c> page by page with <c>NextToken</c>. Each sync reads the table whole: it soft-deletes what the
/// last snapshot had (so rows gone from Athena show as deleted) and upserts every row; a checkpoint after each page keeps
/// the query and its next token, so a sync that stops mid-results resumes at the next page of the same query.
/// </summary>
[Connector("aws_athena_using_boto3", Description = "An Athena table through Athena's JSON API, signed with Signature V4: a query polled without blocking, its results paged with NextToken and checkpointed per page.")]
public sealed partial class AthenaBoto3Connector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => AthenaCustomers.Schema();

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = AthenaSettings.Read(context.Configuration, AthenaSettings.MaxPageSize);
        using var athena = new AthenaClient(context, settings, await AthenaClient.CredentialsAsync(context, cancellationToken));

        var cursor = context.ReadState<AthenaCursor>();
        string queryExecutionId;
        if (cursor.QueryExecutionId is { } saved)
        {
            // The last sync stopped in the middle of this query's results: its pages are still there to read.
            queryExecutionId = saved;
            LogResuming(context.Logger, saved);
        }
        else
        {
            queryExecutionId = await athena.StartQueryAsync(AthenaCustomers.Query(settings), cancellationToken);
            await athena.WaitAsync(queryExecutionId, cancellationToken);
            // A new snapshot: what the last one wrote is soft-deleted unless this one upserts it again.
            await context.TruncateAsync(AthenaCustomers.Table, cancellationToken);
        }

        var nextToken = cursor.NextToken;
        var pages = 0;
        do
        {
            var page = await athena.GetResultsAsync(queryExecutionId, nextToken, cancellationToken);
            foreach (var row in page.Rows)
            {
                await AthenaCustomers.UpsertAsync(context, row, cancellationToken);
            }

            nextToken = page.NextToken;
            pages++;
            await context.CheckpointAsync(
                nextToken is null ? new AthenaCursor() : new AthenaCursor { QueryExecutionId = queryExecutionId, NextToken = nextToken },
                cancellationToken);
        }
        while (nextToken is not null);

        LogRead(context.Logger, queryExecutionId, pages);
    }

    [LoggerMessage(EventId = 2710, Level = LogLevel.Information, Message = "Resuming the results of Athena query {QueryExecutionId}")]
    private static partial void LogResuming(ILogger logger, string queryExecutionId);

    [LoggerMessage(EventId = 2711, Level = LogLevel.Information, Message = "Read the results of Athena query {QueryExecutionId} in {Pages} pages")]
    private static partial void LogRead(ILogger logger, string queryExecutionId, int pages);
}

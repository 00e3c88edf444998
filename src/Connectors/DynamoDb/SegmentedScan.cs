using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.DynamoDb;

/// <summary>
/// One table's parallel scan: <c>TotalSegments</c> segments read at once, each page by page from its own resume point.
/// After each page is written, the segment's <c>LastEvaluatedKey</c> goes into the state and a checkpoint saves it, so a
/// paused or killed sync resumes every segment after its last checkpointed page.
/// </summary>
/// <remarks>
/// A checkpoint covers every operation completed before it; a segment records its new key only once its page's upserts
/// have completed, so any state saved, whichever segment saves it, holds for each segment a key whose rows are written.
/// Checkpoints are taken one at a time (a later snapshot never lands before an earlier one).
/// </remarks>
internal sealed partial class SegmentedScan(
    SyncContext context, AmazonDynamoDBClient client, DynamoDbSettings settings, DynamoDbState state, DynamoDbTable table) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _checkpoint = new(1, 1);

    private TableScanState Scan => state.Tables[table.Name];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var total = Scan.TotalSegments ?? throw new InvalidOperationException("No scan in progress.");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var segments = Enumerable.Range(0, total)
            .Where(segment => !Scan.Segments![segment].Done)
            .Select(segment => ScanSegmentAsync(segment, total, stop, cancellationToken))
            .ToArray();
        try
        {
            await Task.WhenAll(segments);
        }
        catch (OperationCanceledException)
        {
            // A failed segment cancels the others: its error, not their cancellation, is the sync's.
            var failure = segments
                .Where(t => t.IsFaulted)
                .Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }
    }

    public void Dispose() => _checkpoint.Dispose();

    private async Task ScanSegmentAsync(int segment, int total, CancellationTokenSource stop, CancellationToken cancellationToken)
    {
        // The segments' own stop token ends their reads; operations on the context take the sync's token, so a failed
        // segment never cancels a checkpoint in flight.
        var token = stop.Token;
        try
        {
            await Task.Yield();
            var progress = Scan.Segments![segment];
            while (!progress.Done)
            {
                token.ThrowIfCancellationRequested();
                var request = new ScanRequest
                {
                    TableName = table.Name,
                    Segment = segment,
                    TotalSegments = total,
                    Limit = settings.PageSize,
                    ConsistentRead = settings.ConsistentRead,
                    ExclusiveStartKey = progress.ExclusiveStartKey is { } key ? DynamoDbValues.KeyFromState(key) : null,
                };
                var page = await DynamoDbClientFactory.CallAsync(
                    () => client.ScanAsync(request, token), $"Scan of {table.Name}, segment {segment} of {total}");
                var items = page.Items ?? [];
                foreach (var item in items)
                {
                    await context.UpsertAsync(table.Name, DynamoDbValues.ToRow(item), cancellationToken);
                }

                var last = page.LastEvaluatedKey is { Count: > 0 } lastKey ? DynamoDbValues.KeyToState(lastKey) : null;
                lock (_gate)
                {
                    progress.ExclusiveStartKey = last;
                    progress.Done = last is null;
                    progress.Pages++;
                    Scan.ScanItems += items.Count;
                }

                await CheckpointAsync(token, cancellationToken);
            }

            LogSegmentDone(context.Logger, table.Name, segment, total, progress.Pages);
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task CheckpointAsync(CancellationToken stop, CancellationToken cancellationToken)
    {
        await _checkpoint.WaitAsync(stop);
        try
        {
            JsonNode? snapshot;
            lock (_gate)
            {
                snapshot = JsonSerializer.SerializeToNode(state);
            }

            await context.CheckpointAsync(snapshot!, cancellationToken);
        }
        finally
        {
            _checkpoint.Release();
        }
    }

    [LoggerMessage(EventId = 2652, Level = LogLevel.Information, Message = "{Table}: segment {Segment} of {TotalSegments} done after {Pages} pages")]
    private static partial void LogSegmentDone(ILogger logger, string table, int segment, int totalSegments, int pages);
}

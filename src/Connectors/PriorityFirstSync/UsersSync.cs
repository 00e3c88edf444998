using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.PriorityFirstSync;

/// <summary>
/// Reads the <c>user</c> endpoint by keyset pages on <c>updated_at</c> (<c>updated_since</c> is exclusive; <c>has_more</c>
/// says whether a next page exists), for the incremental and the historical halves of a priority-first sync.
/// </summary>
internal sealed class UsersSync(SyncContext context, RestClient client, string path)
{
    public const string Table = "user";

    private static readonly KeysetPaginator Keyset = new() { CursorParameter = "updated_since", RecordKeyPath = "updated_at", HasMorePath = "has_more" };

    /// <summary>Everything updated after the incremental cursor, a checkpoint after each page.</summary>
    public async Task IncrementalAsync(PfsState state, TableCursors cursors, CancellationToken cancellationToken)
    {
        await foreach (var page in client.GetPagesAsync(Request(cursors.IncrementalCursor), Keyset, cancellationToken))
        {
            foreach (var user in page.Records)
            {
                await context.UpsertAsync(Table, user, cancellationToken);
            }

            if (page.LastRecord?["updated_at"]?.GetValue<string>() is { } last)
            {
                cursors.IncrementalCursor = last;
                await context.CheckpointAsync(state, cancellationToken);
            }
        }
    }

    /// <summary>One batch of history: what was updated in (<paramref name="from"/>, historical cursor], then the historical cursor
    /// moves back to <paramref name="from"/> and is checkpointed.</summary>
    public async Task HistoricalBatchAsync(PfsState state, TableCursors cursors, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var until = TableCursors.Parse(cursors.HistoricalCursor, "historical_cursor");
        await foreach (var user in client.GetRecordsAsync(Request(TableCursors.Format(from)), Keyset, cancellationToken))
        {
            // Records are in updated_at order; what comes after the historical cursor the incremental syncs read.
            if (TableCursors.Parse(user["updated_at"]?.GetValue<string>() ?? "", "a user's updated_at") > until)
            {
                break;
            }

            await context.UpsertAsync(Table, user, cancellationToken);
        }

        cursors.HistoricalCursor = TableCursors.Format(from);
        await context.CheckpointAsync(state, cancellationToken);
    }

    private RestRequest Request(string updatedSince)
    {
        var request = new RestRequest(path) { RecordsPath = "data" };
        request.Query["updated_since"] = updatedSince;
        return request;
    }
}

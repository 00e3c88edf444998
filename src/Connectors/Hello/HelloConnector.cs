using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.Hello;

/// <summary>The smallest connector: one row into one keyless table, then a checkpoint.</summary>
[Connector("hello", Description = "Writes one row, 'hello, world!', to the table hello.")]
public sealed partial class HelloConnector : Connector
{
    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        LogUpserting(context.Logger, "hello");

        // No schema: the table is keyless (a surrogate key from the row's values), so a second sync
        // that sends the same row leaves one row.
        await context.UpsertAsync("hello", new { message = "hello, world!" }, cancellationToken);

        // Checkpoint even when there is no cursor: it commits what was written.
        await context.CheckpointAsync(context.State, cancellationToken);
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Upserting to table {Table}")]
    private static partial void LogUpserting(ILogger logger, string table);
}

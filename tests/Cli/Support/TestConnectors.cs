using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tributary.Sdk;

namespace Tributary.Cli.Tests.Support;

/// <summary>Writes two rows; with configuration <c>bad</c> set, a third whose amount is not a number.</summary>
[Connector("bad_value")]
public sealed class BadValueConnector : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition("items") { PrimaryKey = ["id"], Columns = new Dictionary<string, ColumnType> { ["amount"] = ColumnType.Decimal(10, 2) } }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        await context.UpsertAsync("items", new { id = 1, amount = "10.50" }, cancellationToken);
        await context.UpsertAsync("items", new { id = 2, amount = 20m }, cancellationToken);
        if (context.Configuration.GetBoolean("bad", false))
        {
            await context.UpsertAsync("items", new { id = 3, amount = "twelve" }, cancellationToken);
        }

        await context.CheckpointAsync(new { done = true }, cancellationToken);
    }
}

/// <summary>Writes a row with a composite key; with <c>operation</c> set to update or delete, then sends it without the full key.</summary>
[Connector("partial_key")]
public sealed class PartialKeyConnector : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition("pairs") { PrimaryKey = ["a", "b"] }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        await context.UpsertAsync("pairs", new { a = 1, b = 2, value = "first" }, cancellationToken);
        switch (context.Configuration.GetString("operation", "none"))
        {
            case "update":
                await context.UpdateAsync("pairs", new { a = 1, value = "changed" }, cancellationToken);
                break;
            case "delete":
                await context.DeleteAsync("pairs", new { b = 2 }, cancellationToken);
                break;
        }

        await context.CheckpointAsync(new { done = true }, cancellationToken);
    }
}

/// <summary>
/// Upserts <c>rows</c> rows into <c>paced_rows</c>, checkpointing every 1,000, and moves the test's fake clock one
/// second per 1,000 rows: a source whose reads take time, without a test that waits.
/// </summary>
[Connector("paced")]
public sealed class PacedConnector : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition("paced_rows") { PrimaryKey = ["id"] }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var clock = (FakeTimeProvider)context.TimeProvider;
        var rows = context.Configuration.GetInt64("rows");
        for (var id = context.State["next"]?.GetValue<long>() ?? 0; id < rows;)
        {
            await context.UpsertAsync("paced_rows", new { id }, cancellationToken);
            if (++id % 1000 == 0 || id == rows)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                await context.CheckpointAsync(new JsonObject { ["next"] = id }, cancellationToken);
            }
        }
    }
}

using System.Text;

namespace Tributary.Sdk.Testing.Tests;

/// <summary>The cursor: the newest <c>updated_at</c> synced.</summary>
public sealed class Cursor
{
    public DateTimeOffset? UpdatedAt { get; set; }

    public string? Token { get; set; }
}

/// <summary>
/// An incremental connector done right: it reads the items changed at or after its cursor (rows that share the cursor's
/// timestamp are read again, and upserted again unchanged), and checkpoints the newest timestamp after each page.
/// </summary>
[Connector("items")]
public class ItemsConnector : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition("items") { PrimaryKey = ["id"] }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var cursor = context.ReadState<Cursor>();
        foreach (var page in ItemsSource.Changed(cursor.UpdatedAt, Inclusive))
        {
            foreach (var item in page)
            {
                await EmitAsync(context, item, cancellationToken);
            }

            cursor.UpdatedAt = page[^1].UpdatedAt;
            await SaveAsync(context, cursor, cancellationToken);
        }
    }

    protected virtual bool Inclusive => true;

    protected virtual ValueTask EmitAsync(SyncContext context, Item item, CancellationToken cancellationToken) =>
        context.UpsertAsync("items", new { id = item.Id, name = item.Name, updated_at = item.UpdatedAt }, cancellationToken);

    protected virtual ValueTask SaveAsync(SyncContext context, Cursor cursor, CancellationToken cancellationToken) =>
        context.CheckpointAsync(cursor, cancellationToken);
}

/// <summary>Reads only what is strictly newer than the cursor, so rows sharing its timestamp that a page boundary split off
/// are never read again.</summary>
public sealed class CursorSkipsConnector : ItemsConnector
{
    protected override bool Inclusive => false;
}

/// <summary>Never checkpoints.</summary>
public sealed class NeverCheckpointsConnector : ItemsConnector
{
    protected override ValueTask SaveAsync(SyncContext context, Cursor cursor, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Keeps the API key, base64-encoded, in its state.</summary>
public sealed class SecretInStateConnector : ItemsConnector
{
    protected override async ValueTask SaveAsync(SyncContext context, Cursor cursor, CancellationToken cancellationToken)
    {
        cursor.Token = Convert.ToBase64String(Encoding.UTF8.GetBytes(await context.GetSecretAsync("api_key", cancellationToken)));
        await context.CheckpointAsync(cursor, cancellationToken);
    }
}

/// <summary>Writes the time it read each row into the row, so every sync changes rows it reads again.</summary>
public sealed class ClockInRowsConnector : ItemsConnector
{
    protected override ValueTask EmitAsync(SyncContext context, Item item, CancellationToken cancellationToken) =>
        context.UpsertAsync("items", new { id = item.Id, name = item.Name, fetched_at = context.TimeProvider.GetUtcNow() }, cancellationToken);
}

/// <summary>Emits rows without the declared key column.</summary>
public sealed class KeylessRowsConnector : ItemsConnector
{
    protected override ValueTask EmitAsync(SyncContext context, Item item, CancellationToken cancellationToken) =>
        context.UpsertAsync("items", new { item_id = item.Id, name = item.Name }, cancellationToken);
}

/// <summary>Deletes each row again by its key and its name, a column outside the declared key.</summary>
public sealed class DeleteByMoreThanTheKeyConnector : ItemsConnector
{
    protected override async ValueTask EmitAsync(SyncContext context, Item item, CancellationToken cancellationToken)
    {
        await base.EmitAsync(context, item, cancellationToken);
        await context.DeleteAsync("items", new { id = item.Id, name = item.Name }, cancellationToken);
    }
}

/// <summary>Pages by number and saves the next page's number before writing the page: the state is ahead of the data.</summary>
[Connector("items")]
public sealed class StateAheadConnector : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition("items") { PrimaryKey = ["id"] }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var page = context.State["next_page"]?.GetValue<int>() ?? 0;
        for (var items = ItemsSource.Page(page); items.Count > 0; items = ItemsSource.Page(++page))
        {
            await context.CheckpointAsync(new { next_page = page + 1 }, cancellationToken);
            foreach (var item in items)
            {
                await context.UpsertAsync("items", new { id = item.Id, name = item.Name }, cancellationToken);
            }
        }
    }
}

using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Runtime.Tests.Support;

/// <summary>
/// A destination that records every batch (copied out while <see cref="WriteAsync"/> runs) and applies the
/// DESIGN.md §3 semantics to in-memory tables, so tests can assert both what the engine sent and the final rows.
/// </summary>
public sealed class InMemoryDestination(EventLog? events = null) : IDestination
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Schema, string Table), MemoryTable> _tables = [];
    private readonly List<RecordedBatch> _batches = [];

    /// <summary>Runs before a batch is applied; a test can hold the engine here.</summary>
    public Func<WriteBatch, CancellationToken, Task>? BeforeWrite { get; set; }

    public IReadOnlyList<RecordedBatch> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    public IReadOnlyList<RecordedBatch> BatchesOf(string table) => [.. Batches.Where(b => b.Table.Name == table)];

    public bool HasTable(string schema, string table)
    {
        lock (_gate)
        {
            return _tables.ContainsKey((schema, table));
        }
    }

    /// <summary>The table's schema as the destination holds it.</summary>
    public TableSchema Table(string schema, string table)
    {
        lock (_gate)
        {
            return _tables.TryGetValue((schema, table), out var t) ? t.Schema : throw new KeyNotFoundException($"No table {schema}.{table}.");
        }
    }

    /// <summary>Every row of the table, system columns included, in first-insert order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(string schema, string table)
    {
        lock (_gate)
        {
            return _tables.TryGetValue((schema, table), out var t)
                ? [.. t.Rows.Values.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(r, StringComparer.Ordinal))]
                : throw new KeyNotFoundException($"No table {schema}.{table}.");
        }
    }

    /// <summary>Runs before the tables are listed (a run's start); a test can hold the engine here, or fail it.</summary>
    public Func<CancellationToken, Task>? BeforeGetTables { get; set; }

    public async Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken)
    {
        if (BeforeGetTables is { } hook)
        {
            await hook(cancellationToken);
        }

        lock (_gate)
        {
            return [.. _tables.Where(p => p.Key.Schema == schema).Select(p => p.Value.Schema)];
        }
    }

    public async Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (BeforeWrite is { } hook)
        {
            await hook(batch, cancellationToken);
        }

        var recorded = RecordedBatch.Copy(batch);
        long matched;
        lock (_gate)
        {
            matched = Apply(recorded, batch.SystemColumns);
            _batches.Add(recorded);
        }

        events?.Add($"write {batch.Table.Name} {batch}");
        return matched;
    }

    public Task DropSchemaAsync(string schema, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var key in _tables.Keys.Where(k => k.Schema == schema).ToList())
            {
                _tables.Remove(key);
            }
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private long Apply(RecordedBatch batch, SystemColumns system)
    {
        var key = (batch.Schema, batch.Table.Name);
        foreach (var change in batch.Changes)
        {
            switch (change.Kind)
            {
                case SchemaChangeKind.CreateTable:
                    if (!_tables.TryAdd(key, new MemoryTable(batch.Table)))
                    {
                        throw new InvalidOperationException($"Table {batch.Schema}.{batch.Table.Name} already exists.");
                    }

                    break;
                case SchemaChangeKind.AddColumn:
                    foreach (var row in _tables[key].Rows.Values)
                    {
                        row.TryAdd(change.Column!.Name, null);
                    }

                    break;
                case SchemaChangeKind.WidenColumn:
                    foreach (var row in _tables[key].Rows.Values)
                    {
                        row[change.Column!.Name] = TypeSystem.Coerce(row[change.Column.Name], change.Column.Type);
                    }

                    break;
            }
        }

        if (!_tables.TryGetValue(key, out var table))
        {
            throw new InvalidOperationException($"A batch ({batch.Rows.Count} rows) for {batch.Schema}.{batch.Table.Name}, which was never created.");
        }

        table.Schema = batch.Table;
        var keyIndexes = batch.Table.PrimaryKey.Select(k => batch.Columns.ToList().IndexOf(k)).ToArray();
        long truncated = 0;
        if (batch.Truncate)
        {
            foreach (var row in table.Rows.Values.Where(r => r[system.Deleted] is false))
            {
                row[system.Deleted] = true;
                row[system.Synced] = batch.SyncedAt;
                truncated++;
            }
        }

        long applied = 0;
        for (var r = 0; r < batch.Rows.Count; r++)
        {
            var values = batch.Rows[r];
            var operation = batch.Operations[r];
            var keyText = KeyText(values, keyIndexes);
            if (WriteBatch.IsUpsert(operation))
            {
                var row = batch.Table.Columns.ToDictionary(c => c.Name, _ => (object?)null, StringComparer.Ordinal);
                for (var i = 0; i < values.Length; i++)
                {
                    row[batch.Columns[i]] = values[i];
                }

                row[system.Synced] = batch.SyncedAt;
                row[system.Deleted] = operation == RowOperation.UpsertThenDelete;
                table.Rows[keyText] = row;
                applied++;
            }
            else if (table.Rows.TryGetValue(keyText, out var row))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    if (!ReferenceEquals(values[i], RecordedBatch.Unmodified))
                    {
                        row[batch.Columns[i]] = values[i];
                    }
                }

                if (operation == RowOperation.Delete)
                {
                    row[system.Deleted] = true;
                }

                row[system.Synced] = batch.SyncedAt;
                applied++;
            }
        }

        return batch.Rows.Count == 0 ? truncated : applied;
    }

    private static string KeyText(object?[] values, int[] keyIndexes)
    {
        if (keyIndexes.Any(i => i < 0))
        {
            throw new InvalidOperationException("A batch without every primary-key column.");
        }

        return string.Join('\u001f', keyIndexes.Select(i => values[i] is { } v ? TypeSystem.ToText(v) : throw new InvalidOperationException("A NULL key.")));
    }

    private sealed class MemoryTable(TableSchema schema)
    {
        public TableSchema Schema { get; set; } = schema;

        // Insertion-ordered: Dictionary keeps insertion order while nothing is removed, and rows are never removed.
        public Dictionary<string, Dictionary<string, object?>> Rows { get; } = new(StringComparer.Ordinal);
    }
}

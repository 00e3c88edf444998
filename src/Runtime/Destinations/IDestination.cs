using Tributary.Runtime.Schema;

namespace Tributary.Runtime.Destinations;

/// <summary>
/// A warehouse the runtime writes to. One narrow method over a batch: batching, ordering, type
/// resolution and retries belong to the runtime. Implementations are used by one sync at a time.
/// </summary>
public interface IDestination : IAsyncDisposable
{
    /// <summary>The tables that already exist in <paramref name="schema"/>, with their columns and types; empty when the schema does not exist.</summary>
    Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken);

    /// <summary>
    /// Applies one batch in one transaction: first its schema changes, then its truncate, then every row's
    /// <see cref="RowOperation"/>. Either all of it is committed or none of it. A batch that carries a
    /// <see cref="WriteBatch.Fence"/> is committed only if no batch of a larger fence was committed to its schema; the check
    /// and the record of the fence are part of the same transaction.
    /// </summary>
    /// <exception cref="State.ConnectorBusyException">A batch of a larger fence was committed first: this writer lost its lease.</exception>
    /// <returns>
    /// The rows applied: every upsert row, and each update or delete row whose key exists. For a batch without rows,
    /// how many rows its truncate soft-deleted.
    /// </returns>
    Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken);

    /// <summary>Drops <paramref name="schema"/> and every table in it. Nothing happens when it does not exist.</summary>
    Task DropSchemaAsync(string schema, CancellationToken cancellationToken);
}

namespace Tributary.Connectors.Relational;

/// <summary>A source table read incrementally.</summary>
/// <param name="Name">The destination table and the table's key in the state.</param>
/// <param name="Schema">The source schema; null or empty for the connection's default (PostgreSQL's search path, the
/// SQL Server login's default schema).</param>
/// <param name="SourceName">The table's name in the source.</param>
/// <param name="ReplicationKey">The column(s) whose values grow when a row is inserted or changed, in comparison order.</param>
/// <param name="PrimaryKey">The primary-key column(s): the tie-break among rows with equal replication-key values.</param>
internal sealed record SourceTable(string Name, string? Schema, string SourceName, IReadOnlyList<string> ReplicationKey, IReadOnlyList<string> PrimaryKey)
{
    /// <summary>The read order and the bookmark's columns: the replication key, then the primary-key columns not already in it.</summary>
    public IReadOnlyList<string> OrderColumns { get; } =
        [.. ReplicationKey, .. PrimaryKey.Where(column => !ReplicationKey.Contains(column, StringComparer.Ordinal))];

    /// <summary>A table whose source name is its destination name.</summary>
    public static SourceTable Named(string name, string? schema, IReadOnlyList<string> replicationKey, IReadOnlyList<string> primaryKey) =>
        new(name, schema, name, replicationKey, primaryKey);
}

using Tributary.Sdk;

namespace Tributary.Connectors.AwsAthena;

/// <summary>What both Athena examples write: the originals' <c>customers</c> table, keyed by <c>customer_id</c>, every
/// column of <c>SELECT * FROM &lt;table_name&gt;</c> by its name.</summary>
internal static class AthenaCustomers
{
    public const string Table = "customers";

    public static IEnumerable<TableDefinition> Schema() =>
        [new TableDefinition(Table) { PrimaryKey = ["customer_id"], Columns = new Dictionary<string, ColumnType> { ["customer_id"] = ColumnType.String } }];

    /// <summary>The query the originals run, on the configured table.</summary>
    public static string Query(AthenaSettings settings) => $"SELECT * FROM {settings.Table}";

    /// <summary>Upserts one result row; a row without <c>customer_id</c> is a query that does not fit the table.</summary>
    public static ValueTask UpsertAsync(SyncContext context, Dictionary<string, object?> row, CancellationToken cancellationToken) =>
        row.TryGetValue("customer_id", out var id) && id is not null
            ? context.UpsertAsync(Table, row, cancellationToken)
            : throw new ConfigurationException($"A row of the Athena query has no customer_id (columns: {string.Join(", ", row.Keys)}); the table must have one.");
}

using System.Globalization;
using DuckDB.NET.Data;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.State;

namespace Tributary.Destinations.DuckDb;

/// <summary>
/// The fencing check of a batch (<see cref="WriteBatch.Fence"/>), inside its transaction: the schema's one-row table
/// <c>_tributary_fence</c> keeps the largest lease epoch that has written to it, and a batch of a smaller epoch is refused.
/// The row is written in every fenced transaction, so of two transactions racing, DuckDB lets only one commit.
/// </summary>
internal static class Fence
{
    /// <summary>The fence table's name; the catalog leaves it out of the schema's tables.</summary>
    public const string Table = "_tributary_fence";

    /// <summary>
    /// Records the batch's fence in the schema, or throws when a larger one is already there. <paramref name="create"/>:
    /// create the schema, its fence table and the table's one row first, where missing (once per schema and destination
    /// is enough). The row is updated, not upserted: DuckDB updates one row in about half the time.
    /// </summary>
    /// <exception cref="ConnectorBusyException">A batch of a larger epoch was committed to the schema.</exception>
    public static void Check(DuckDBConnection connection, WriteBatch batch, bool create)
    {
        if (batch.Fence is not { } epoch)
        {
            return;
        }

        var table = Sql.Table(batch.Schema, Table);
        var sql = string.Create(CultureInfo.InvariantCulture, $"UPDATE {table} SET epoch = greatest(epoch, {epoch}) WHERE id = 1 RETURNING epoch");
        if (create)
        {
            sql = $"""
                CREATE SCHEMA IF NOT EXISTS {Sql.Quote(batch.Schema)};
                CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL);
                INSERT OR IGNORE INTO {table} VALUES (1, 0);
                {sql}
                """;
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        if (value is null && !create)
        {
            Check(connection, batch, create: true);   // the row is gone: whoever deleted it, put it back
            return;
        }

        var stored = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        if (stored > epoch)
        {
            throw new ConnectorBusyException(
                $"Schema '{batch.Schema}' was written by a run holding a later lease (epoch {stored}) than this run's (epoch {epoch}): " +
                $"this run lost its lease, and its batch for table '{batch.Table.Name}' was not written.");
        }
    }
}

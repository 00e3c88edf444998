using System.Globalization;
using Npgsql;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.State;

namespace Tributary.Destinations.Postgres;

/// <summary>
/// The fencing check of a batch (<see cref="WriteBatch.Fence"/>), first in its transaction: the schema's one-row table
/// <c>_tributary_fence</c> keeps the largest lease epoch that has written to it, and a batch of a smaller epoch is refused.
/// The row is locked until the transaction ends, so a stale writer's transaction waits for the current writer's and then
/// sees its epoch.
/// </summary>
internal static class Fence
{
    /// <summary>The fence table's name; the catalog leaves it out of the schema's tables.</summary>
    public const string Table = "_tributary_fence";

    /// <summary>Records the batch's fence in the schema, or throws when a larger one is already there.</summary>
    /// <param name="connection">The connection, inside the batch's transaction.</param>
    /// <param name="batch">The batch.</param>
    /// <param name="create">Whether the schema and the fence table may not exist yet.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <exception cref="ConnectorBusyException">A batch of a larger epoch was committed to the schema.</exception>
    public static async Task CheckAsync(NpgsqlConnection connection, WriteBatch batch, bool create, CancellationToken cancellationToken)
    {
        if (batch.Fence is not { } epoch)
        {
            return;
        }

        var table = Sql.Table(batch.Schema, Table);
        var sql = string.Create(
            CultureInfo.InvariantCulture,
            $"INSERT INTO {table} AS f VALUES (1, {epoch}) ON CONFLICT (id) DO UPDATE SET epoch = greatest(f.epoch, excluded.epoch) RETURNING epoch");
        if (create)
        {
            sql = $"CREATE SCHEMA IF NOT EXISTS {Sql.Quote(batch.Schema)};\nCREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL);\n{sql}";
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var stored = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        if (stored > epoch)
        {
            throw new ConnectorBusyException(
                $"Schema '{batch.Schema}' was written by a run holding a later lease (epoch {stored}) than this run's (epoch {epoch}): " +
                $"this run lost its lease, and its batch for table '{batch.Table.Name}' was not written.");
        }
    }
}

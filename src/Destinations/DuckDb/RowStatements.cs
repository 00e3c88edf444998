using DuckDB.NET.Data;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Destinations.DuckDb;

/// <summary>
/// The statements that apply a batch's rows in DuckDB (see <see cref="BatchPlan"/>): upserts appended straight into the
/// table or staged and merged by key, updates and deletes staged and joined by key, a truncate. Rows travel through the
/// appender, typed, never as SQL text.
/// </summary>
internal static class RowStatements
{
    private const string StageTable = "tributary_stage";
    private static readonly string StageRef = "temp.main." + Sql.Quote(StageTable);

    /// <summary>
    /// Appends the upsert rows straight into the table with the synced time and their deleted flag. <paramref name="physical"/>
    /// is the table's columns in their order in DuckDB: <see cref="WriteBatch.Table"/>'s for a table created in this
    /// transaction, <see cref="Catalog.ReadColumns"/> for an existing one. A key that exists already fails the append (and
    /// aborts the transaction).
    /// </summary>
    public static long AppendDirect(
        DuckDBConnection connection, WriteBatch batch, BatchPlan plan, IReadOnlyList<ColumnSchema> physical, CancellationToken cancellationToken)
    {
        var system = batch.SystemColumns;
        var columns = new AppendValue[physical.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            var column = physical[c];
            columns[c] = column.Name == system.Synced ? RowAppender.Constant(batch.SyncedAt)
                : column.Name == system.Deleted ? (batch.DeleteCount == 0 ? RowAppender.Constant(false) : RowAppender.Deleted(batch))
                : batch.IndexOf(column.Name) is var i and >= 0 ? RowAppender.From(batch.Values[i], column.Type, column.Name, batch.Table.Name)
                : RowAppender.Constant(null);
        }

        AppendInto(connection, null, batch.Schema, batch.Table.Name, plan.Upserts, batch.RowCount, columns, cancellationToken);
        return batch.UpsertCount;
    }

    /// <summary>Stages the upsert rows and merges them: new keys are inserted, existing rows replaced, live or deleted as the row says.</summary>
    public static long Merge(DuckDBConnection connection, WriteBatch batch, BatchPlan plan, CancellationToken cancellationToken)
    {
        var statements = new SetBasedStatements(batch, plan, Sql.Quote, "$synced");
        Stage(connection, Columns(batch, statements.UpsertStage), plan.Upserts, batch.RowCount, cancellationToken);
        Execute(connection, statements.Merge(Sql.Table(batch.Schema, batch.Table.Name), StageRef), batch.SyncedAt, cancellationToken);
        DropStage(connection);
        return batch.UpsertCount;
    }

    /// <summary>
    /// Stages the update and delete rows and applies them joined by key, a statement for each kind of row
    /// (<see cref="BatchPlan.ModifyKinds"/>). Returns how many rows matched an existing key.
    /// </summary>
    public static long Modify(DuckDBConnection connection, WriteBatch batch, BatchPlan plan, CancellationToken cancellationToken)
    {
        var statements = new SetBasedStatements(batch, plan, Sql.Quote, "$synced");
        Stage(connection, Columns(batch, statements.ModifyStage), plan.Modifies, batch.RowCount, cancellationToken);
        var matched = statements.Modify(Sql.Table(batch.Schema, batch.Table.Name), StageRef)
            .Sum(sql => Execute(connection, sql, batch.SyncedAt, cancellationToken));
        DropStage(connection);
        return matched;
    }

    /// <summary>Soft-deletes every live row of the table. Returns how many.</summary>
    public static long Truncate(DuckDBConnection connection, WriteBatch batch, CancellationToken cancellationToken)
    {
        var deleted = Sql.Quote(batch.SystemColumns.Deleted);
        return Execute(connection,
            $"UPDATE {Sql.Table(batch.Schema, batch.Table.Name)} SET {deleted} = true, {Sql.Quote(batch.SystemColumns.Synced)} = $synced " +
            $"WHERE NOT coalesce({deleted}, false)",
            batch.SyncedAt, cancellationToken);
    }

    /// <summary>The staging table's columns: each one's name, DuckDB type and appender.</summary>
    private static (string Name, string Type, AppendValue Value)[] Columns(WriteBatch batch, IReadOnlyList<StagedColumn> staged) =>
    [
        .. staged.Select(c => c.Holds switch
        {
            StagedValue.Value => Staged(batch, c.Name, c.Index),
            StagedValue.Modified => (c.Name, "BOOLEAN", RowAppender.Modified(batch.Values[c.Index])),
            _ => (c.Name, "BOOLEAN", RowAppender.Deleted(batch)),
        }),
    ];

    /// <summary>A staged column: its name in the staging table, its DuckDB type, and the appender of batch column <paramref name="index"/>.</summary>
    private static (string Name, string Type, AppendValue Value) Staged(WriteBatch batch, string name, int index)
    {
        var column = batch.Table.Find(batch.Columns[index])
            ?? throw new ArgumentException($"The batch carries column '{batch.Columns[index]}', which table '{batch.Table.Name}' does not have.", nameof(batch));
        return (name, Sql.TypeOf(column.Type), RowAppender.From(batch.Values[index], column.Type, column.Name, batch.Table.Name));
    }

    /// <summary>Creates the temporary staging table with <paramref name="columns"/> and appends the selected rows to it.</summary>
    private static void Stage(DuckDBConnection connection, (string Name, string Type, AppendValue Value)[] columns, int[]? rows, int rowCount, CancellationToken cancellationToken)
    {
        DuckDbDestination.Execute(connection, $"CREATE OR REPLACE TEMP TABLE {Sql.Quote(StageTable)} ({Sql.List(columns, c => $"{Sql.Quote(c.Name)} {c.Type}")})");
        AppendInto(connection, "temp", "main", StageTable, rows, rowCount, [.. columns.Select(c => c.Value)], cancellationToken);
    }

    private static void DropStage(DuckDBConnection connection) => DuckDbDestination.Execute(connection, $"DROP TABLE {StageRef}");

    private static void AppendInto(
        DuckDBConnection connection, string? catalog, string schema, string table, int[]? rows, int rowCount, AppendValue[] columns, CancellationToken cancellationToken)
    {
        var appender = connection.CreateAppender(catalog, schema, table);
        try
        {
            RowAppender.Append(appender, rows, rowCount, columns, cancellationToken);
            appender.Close();
        }
        catch
        {
            // Drop the half-filled chunk before closing, so nothing partial is flushed; the transaction rolls back.
            try
            {
                appender.Clear();
            }
            catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
            {
                // Already closed by the failure; the rollback discards whatever reached the table.
            }

            appender.Dispose();
            throw;
        }
    }

    /// <summary>Runs a set-based statement with <c>$synced</c> bound; cancelling interrupts it.</summary>
    private static long Execute(DuckDBConnection connection, string sql, DateTimeOffset synced, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("synced", synced));
        using var interrupt = cancellationToken.Register(static c => ((DuckDBCommand)c!).Cancel(), command);
        return command.ExecuteNonQuery();
    }
}

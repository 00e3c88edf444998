namespace Tributary.Runtime.Destinations;

/// <summary>What a column of a staging table holds for each staged row.</summary>
public enum StagedValue
{
    /// <summary>The row's value of batch column <see cref="StagedColumn.Index"/>.</summary>
    Value,
    /// <summary>Whether the row changes batch column <see cref="StagedColumn.Index"/> (its cell is not unmodified).</summary>
    Modified,
    /// <summary>Whether the row sets the deleted flag.</summary>
    Deleted,
}

/// <summary>A column of a staging table.</summary>
/// <param name="Name">Its name in the staging table, unquoted.</param>
/// <param name="Holds">What it holds.</param>
/// <param name="Index">The batch column it describes; -1 for <see cref="StagedValue.Deleted"/>.</param>
public sealed record StagedColumn(string Name, StagedValue Holds, int Index);

/// <summary>
/// The statements a SQL destination with <c>INSERT … ON CONFLICT</c> and <c>UPDATE … FROM</c> (DuckDB, PostgreSQL)
/// runs for a batch's rows once they are staged: the upserts merged by key, then the updates and deletes joined by key
/// (see <see cref="BatchPlan"/>). Written once here, so every such dialect applies a batch alike; a destination supplies
/// its identifier quoting and the placeholder bound to <see cref="WriteBatch.SyncedAt"/>, and stages the listed columns.
/// </summary>
public sealed class SetBasedStatements
{
    private readonly WriteBatch _batch;
    private readonly BatchPlan _plan;
    private readonly Func<string, string> _quote;
    private readonly string _synced;

    /// <summary>Prepares the statements of <paramref name="batch"/>.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="plan">Its plan.</param>
    /// <param name="quote">Quotes an identifier.</param>
    /// <param name="synced">The parameter placeholder bound to the synced time (<c>$synced</c>, <c>$1</c>).</param>
    public SetBasedStatements(WriteBatch batch, BatchPlan plan, Func<string, string> quote, string synced)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(quote);
        (_batch, _plan, _quote, _synced) = (batch, plan, quote, synced);
        UpsertStage = [.. batch.Columns.Select((name, i) => new StagedColumn(name, StagedValue.Value, i)),
            new StagedColumn(batch.SystemColumns.Deleted, StagedValue.Deleted, -1)];

        // Named by position ("c3" the value of batch column 3, "m3" whether the row changes it, "d" whether it deletes), so no
        // table column name can clash with them.
        var modify = batch.Table.PrimaryKey.Select(k => Value(KeyIndex(k))).ToList();
        foreach (var column in plan.ModifiedColumns)
        {
            modify.Add(Value(column.Index));
            if (column.Rows == Share.Some)
            {
                modify.Add(new StagedColumn($"m{column.Index}", StagedValue.Modified, column.Index));
            }
        }

        if (plan.Deletes == Share.Some)
        {
            modify.Add(new StagedColumn("d", StagedValue.Deleted, -1));
        }

        ModifyStage = modify;
    }

    /// <summary>The columns to stage the upsert rows (<see cref="BatchPlan.Upserts"/>) in, in order, for <see cref="Merge"/>.</summary>
    public IReadOnlyList<StagedColumn> UpsertStage { get; }

    /// <summary>The columns to stage the update and delete rows (<see cref="BatchPlan.Modifies"/>) in, in order, for <see cref="Modify"/>.</summary>
    public IReadOnlyList<StagedColumn> ModifyStage { get; }

    /// <summary>
    /// Inserts the staged upserts, or replaces the rows with their keys, live or deleted as each row says.
    /// <c>ON CONFLICT</c> finds existing rows through the key's index; a <c>MERGE</c> would join the whole table.
    /// </summary>
    /// <param name="table">The quoted, qualified table.</param>
    /// <param name="stage">The quoted staging table, with <see cref="UpsertStage"/>'s columns.</param>
    public string Merge(string table, string stage)
    {
        var system = _batch.SystemColumns;
        var key = _batch.Table.PrimaryKey;
        var given = new HashSet<string>(_batch.Columns, StringComparer.Ordinal);
        var replaced = _batch.Table.Columns
            .Where(c => !key.Contains(c.Name, StringComparer.Ordinal) && c.Name != system.Synced && c.Name != system.Deleted)
            .Select(c => $"{_quote(c.Name)} = {(given.Contains(c.Name) ? "excluded." + _quote(c.Name) : "NULL")}")
            .Append($"{_quote(system.Synced)} = excluded.{_quote(system.Synced)}")
            .Append($"{_quote(system.Deleted)} = excluded.{_quote(system.Deleted)}");
        var columns = string.Join(", ", _batch.Columns.Select(_quote));
        return $"INSERT INTO {table} ({columns}, {_quote(system.Synced)}, {_quote(system.Deleted)})\n" +
            $"SELECT {columns}, {_synced}, {_quote(system.Deleted)} FROM {stage}\n" +
            $"ON CONFLICT ({string.Join(", ", key.Select(_quote))}) DO UPDATE SET {string.Join(", ", replaced)}";
    }

    /// <summary>
    /// The statements that apply the staged updates and deletes to the rows with their keys: one for each of
    /// <see cref="BatchPlan.ModifyKinds"/>, writing only the cells its rows change; for a batch with more kinds than that,
    /// one for every row, writing each modified column and keeping the cells a row leaves unmodified. Each sets the
    /// deleted flag where its rows set it, and the synced time. No row is matched by two of them, so their counts add up
    /// to the rows with an existing key.
    /// </summary>
    /// <param name="table">The quoted, qualified table.</param>
    /// <param name="stage">The quoted staging table, with <see cref="ModifyStage"/>'s columns.</param>
    public IReadOnlyList<string> Modify(string table, string stage)
    {
        var deleted = _quote(_batch.SystemColumns.Deleted);
        var synced = $"{_quote(_batch.SystemColumns.Synced)} = {_synced}";
        var match = string.Join(" AND ", _batch.Table.PrimaryKey.Select(k => $"t.{_quote(k)} = s.c{KeyIndex(k)}"));
        if (_plan.ModifyKinds.Count == 0)
        {
            var set = _plan.ModifiedColumns.Select(c => (Name: _quote(_batch.Columns[c.Index]), c.Index, c.Rows))
                .Select(c => c.Rows == Share.All ? $"{c.Name} = s.c{c.Index}" : $"{c.Name} = CASE WHEN s.m{c.Index} THEN s.c{c.Index} ELSE t.{c.Name} END")
                .ToList();
            if (_plan.Deletes != Share.None)
            {
                set.Add(_plan.Deletes == Share.All ? $"{deleted} = true" : $"{deleted} = CASE WHEN s.d THEN true ELSE t.{deleted} END");
            }

            return [$"UPDATE {table} AS t SET {string.Join(", ", set.Append(synced))} FROM {stage} AS s WHERE {match}"];
        }

        return
        [
            .. _plan.ModifyKinds.Select(kind =>
            {
                var set = kind.Columns.Select(i => $"{_quote(_batch.Columns[i])} = s.c{i}").ToList();
                if (kind.Deletes)
                {
                    set.Add($"{deleted} = true");
                }

                // The flags that tell this kind's rows from the others': a column only some rows change, the deleted flag.
                var rows = _plan.ModifiedColumns.Where(c => c.Rows == Share.Some)
                    .Select(c => kind.Columns.Contains(c.Index) ? $" AND s.m{c.Index}" : $" AND NOT s.m{c.Index}");
                if (_plan.Deletes == Share.Some)
                {
                    rows = rows.Append(kind.Deletes ? " AND s.d" : " AND NOT s.d");
                }

                return $"UPDATE {table} AS t SET {string.Join(", ", set.Append(synced))} FROM {stage} AS s WHERE {match}{string.Concat(rows)}";
            }),
        ];
    }

    private static StagedColumn Value(int index) => new($"c{index}", StagedValue.Value, index);

    private int KeyIndex(string key) =>
        _batch.IndexOf(key) is var index and >= 0 ? index : throw new ArgumentException($"The batch does not carry key column '{key}'.", nameof(key));
}

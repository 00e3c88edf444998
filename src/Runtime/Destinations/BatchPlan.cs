namespace Tributary.Runtime.Destinations;

/// <summary>How many of a set of rows have a property: none, some, or all of them.</summary>
public enum Share
{
    /// <summary>No row.</summary>
    None,
    /// <summary>Some rows, not all.</summary>
    Some,
    /// <summary>Every row.</summary>
    All,
}

/// <summary>
/// How a SQL destination applies a <see cref="WriteBatch"/>'s rows with two set-based statements: the upsert rows
/// merged by key, then the update and delete rows joined to the table by key. Rows of the two groups never share a
/// key, so their order does not matter. Worked out once here, so every dialect writes the same statements.
/// </summary>
public sealed class BatchPlan
{
    private BatchPlan(int[]? upserts, int[] modifies, IReadOnlyList<ModifiedColumn> modifiedColumns, Share deletes)
    {
        Upserts = upserts;
        Modifies = modifies;
        ModifiedColumns = modifiedColumns;
        Deletes = deletes;
    }

    /// <summary>The upsert rows' indexes; <see langword="null"/> when every row of the batch is an upsert.</summary>
    public int[]? Upserts { get; }

    /// <summary>The update and delete rows' indexes.</summary>
    public int[] Modifies { get; }

    /// <summary>The non-key columns that at least one update or delete row changes, in batch order.</summary>
    public IReadOnlyList<ModifiedColumn> ModifiedColumns { get; }

    /// <summary>How many of the update and delete rows set the deleted flag.</summary>
    public Share Deletes { get; }

    /// <summary>Plans <paramref name="batch"/>.</summary>
    public static BatchPlan For(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var operations = batch.Operations;
        if (batch.UpsertCount == batch.RowCount)
        {
            return new BatchPlan(null, [], [], Share.None);
        }

        var upserts = new int[batch.UpsertCount];
        var modifies = new int[batch.RowCount - batch.UpsertCount];
        int u = 0, m = 0;
        for (var row = 0; row < operations.Length; row++)
        {
            if (WriteBatch.IsUpsert(operations[row]))
            {
                upserts[u++] = row;
            }
            else
            {
                modifies[m++] = row;
            }
        }

        var deletes = batch.DeleteCount - CountDeletedUpserts(operations);
        var columns = new List<ModifiedColumn>();
        for (var column = 0; column < batch.Columns.Count; column++)
        {
            if (batch.Table.PrimaryKey.Contains(batch.Columns[column], StringComparer.Ordinal))
            {
                continue;
            }

            var vector = batch.Values[column];
            var changed = 0;
            foreach (var row in modifies)
            {
                if (!vector.IsUnmodified(row))
                {
                    changed++;
                }
            }

            if (changed > 0)
            {
                columns.Add(new ModifiedColumn(column, changed == modifies.Length ? Share.All : Share.Some));
            }
        }

        return new BatchPlan(
            upserts.Length == 0 ? [] : upserts,
            modifies,
            columns,
            deletes == 0 ? Share.None : deletes == modifies.Length ? Share.All : Share.Some);
    }

    private static int CountDeletedUpserts(ReadOnlySpan<RowOperation> operations)
    {
        var count = 0;
        foreach (var operation in operations)
        {
            if (operation == RowOperation.UpsertThenDelete)
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>A column that update or delete rows change.</summary>
/// <param name="Index">Its index in <see cref="WriteBatch.Columns"/> and <see cref="WriteBatch.Values"/>.</param>
/// <param name="Rows">Whether every update and delete row changes it, or only some (the others leave it unmodified).</param>
public sealed record ModifiedColumn(int Index, Share Rows);

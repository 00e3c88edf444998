using Tributary.Destinations.Delta.Log;
using Tributary.Runtime.Destinations;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// How a batch that rewrites many files is applied a group of files at a time, so the engine holds one group's rows, not
/// every rewritten row: the files in groups of at most a budget of rows (from their statistics), and the batch's rows
/// split by the group whose files hold their key, plus one last group of the rows whose key no file holds (new keys, and
/// updates and deletes that will find nothing), applied without loading anything.
/// </summary>
internal static class RewriteGroups
{
    /// <summary>
    /// The files in consecutive groups, each of at most <paramref name="budget"/> rows by the files' statistics; a file
    /// larger than the budget, or whose statistics give no row count, is a group of its own.
    /// </summary>
    public static List<List<AddFile>> Of(IReadOnlyList<AddFile> files, Func<AddFile, long?> rows, long budget)
    {
        var groups = new List<List<AddFile>>();
        List<AddFile>? group = null;
        long held = 0;
        foreach (var file in files)
        {
            var count = rows(file) ?? long.MaxValue;
            if (group is null || count > budget - held)
            {
                groups.Add(group = []);
                held = 0;
            }

            group.Add(file);
            held = count >= budget ? budget : held + count;
        }

        return groups;
    }

    /// <summary>
    /// The batch's row numbers per group: entry <c>g</c> for <paramref name="groups"/>[g], the last entry for the rows whose
    /// key no file holds. <paramref name="fileOf"/> gives each row's file as an index into <paramref name="probed"/>, or -1;
    /// empty when no file was probed (every row is in the last entry).
    /// </summary>
    public static List<int>[] Rows(int rowCount, int[] fileOf, IReadOnlyList<AddFile> probed, List<List<AddFile>> groups)
    {
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var file in groups[g])
            {
                groupOf[file.Path] = g;
            }
        }

        var rows = new List<int>[groups.Count + 1];
        for (var g = 0; g < rows.Length; g++)
        {
            rows[g] = [];
        }

        for (var row = 0; row < rowCount; row++)
        {
            var file = fileOf.Length == 0 ? -1 : fileOf[row];
            rows[file < 0 ? groups.Count : groupOf[probed[file].Path]].Add(row);
        }

        return rows;
    }

    /// <summary>
    /// The part of <paramref name="batch"/> made of <paramref name="rows"/> (in the batch's order), with its truncate, schema
    /// changes and fence: the batch itself when that is every row. Values are copied cell by cell, unmodified cells kept.
    /// </summary>
    public static WriteBatch Select(WriteBatch batch, List<int> rows)
    {
        if (rows.Count == batch.RowCount)
        {
            return batch;
        }

        var values = new ColumnVector[batch.Values.Count];
        for (var c = 0; c < values.Length; c++)
        {
            var source = batch.Values[c];
            var vector = values[c] = ColumnVector.Create(source.Type);
            foreach (var row in rows)
            {
                if (source.IsUnmodified(row))
                {
                    vector.AppendUnmodified();
                }
                else
                {
                    vector.Append(source.GetValue(row));
                }
            }
        }

        var all = batch.Operations;
        var operations = new RowOperation[rows.Count];
        for (var i = 0; i < operations.Length; i++)
        {
            operations[i] = all[rows[i]];
        }

        return new WriteBatch(batch.Schema, batch.Table, batch.SystemColumns, batch.Columns, values, operations, rows.Count, batch.Truncate, batch.Changes, batch.SyncedAt)
        {
            Fence = batch.Fence,
        };
    }
}

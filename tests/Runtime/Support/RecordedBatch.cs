using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Runtime.Tests.Support;

/// <summary>A copy of a <see cref="WriteBatch"/> taken during <see cref="IDestination.WriteAsync"/>: the runtime reuses
/// the batch's vectors afterwards, so nothing here points into them.</summary>
public sealed record RecordedBatch(
    string Schema,
    TableSchema Table,
    OperationKind Kind,
    IReadOnlyList<string> Columns,
    IReadOnlyList<object?[]> Rows,
    IReadOnlyList<SchemaChange> Changes,
    DateTimeOffset SyncedAt)
{
    /// <summary>The value of <paramref name="column"/> in every row, in order.</summary>
    public IEnumerable<object?> ValuesOf(string column)
    {
        var index = Columns.ToList().IndexOf(column);
        if (index < 0)
        {
            throw new ArgumentException($"The batch has no column '{column}'; it has {string.Join(", ", Columns)}.", nameof(column));
        }

        return Rows.Select(r => r[index]);
    }

    public static RecordedBatch Copy(WriteBatch batch)
    {
        var rows = new List<object?[]>(batch.RowCount);
        for (var row = 0; row < batch.RowCount; row++)
        {
            var values = new object?[batch.Columns.Count];
            for (var column = 0; column < values.Length; column++)
            {
                values[column] = batch.Values[column].GetValue(row) is byte[] bytes ? bytes.ToArray() : batch.Values[column].GetValue(row);
            }

            rows.Add(values);
        }

        return new RecordedBatch(batch.Schema, batch.Table, batch.Kind, [.. batch.Columns], rows, [.. batch.Changes], batch.SyncedAt);
    }
}

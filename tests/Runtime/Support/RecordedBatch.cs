using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Runtime.Tests.Support;

/// <summary>A copy of a <see cref="WriteBatch"/> taken during <see cref="IDestination.WriteAsync"/>: the runtime reuses
/// the batch's vectors afterwards, so nothing here points into them. An unmodified cell is <see cref="Unmodified"/>.</summary>
public sealed record RecordedBatch(
    string Schema,
    TableSchema Table,
    bool Truncate,
    IReadOnlyList<RowOperation> Operations,
    IReadOnlyList<string> Columns,
    IReadOnlyList<object?[]> Rows,
    IReadOnlyList<SchemaChange> Changes,
    DateTimeOffset SyncedAt)
{
    /// <summary>Stands for an unmodified cell of an update or delete row.</summary>
    public static readonly object Unmodified = new UnmodifiedCell();

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
                var vector = batch.Values[column];
                values[column] = vector.IsUnmodified(row) ? Unmodified : vector.GetValue(row) is byte[] bytes ? bytes.ToArray() : vector.GetValue(row);
            }

            rows.Add(values);
        }

        return new RecordedBatch(batch.Schema, batch.Table, batch.Truncate, batch.Operations.ToArray(), [.. batch.Columns], rows, [.. batch.Changes], batch.SyncedAt);
    }

    /// <summary>How many rows carry <paramref name="operation"/>.</summary>
    public int Count(RowOperation operation) => Operations.Count(o => o == operation);

    private sealed class UnmodifiedCell
    {
        public override string ToString() => "(unmodified)";
    }
}

using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Destinations;

public sealed class BatchPlanTests
{
    private static readonly TableSchema Items = new(
        "items", [new ColumnSchema("id", ColumnType.Long), new ColumnSchema("a", ColumnType.String), new ColumnSchema("b", ColumnType.Long),
            new ColumnSchema("c", ColumnType.Long), new ColumnSchema("d", ColumnType.Long), .. SystemColumns.Tributary.Trailing()], ["id"]);

    private static readonly object Unmodified = new();

    [Fact]
    public void For_UpdatesAndDeletes_GivesEachCombinationOfChangedColumnsAndDeletedFlagOnceInOrder()
    {
        var plan = BatchPlan.For(Batch(
            (RowOperation.Upsert, [1L, "one", 1L, 1L, 1L]),
            (RowOperation.Update, [2L, "two", Unmodified, 2L, Unmodified]),
            (RowOperation.Delete, [3L, Unmodified, Unmodified, 3L, Unmodified]),
            (RowOperation.Update, [4L, "four", Unmodified, 4L, Unmodified]),
            (RowOperation.Delete, [5L, Unmodified, Unmodified, 5L, Unmodified]),
            (RowOperation.Update, [6L, Unmodified, Unmodified, 6L, Unmodified])));

        Assert.Equal([1, 2, 3, 4, 5], plan.Modifies);
        Assert.Equal(["1:Some", "3:All"], plan.ModifiedColumns.Select(c => $"{c.Index}:{c.Rows}"));
        Assert.Equal(["1,3", "3 deletes", "3"], plan.ModifyKinds.Select(k => string.Join(",", k.Columns) + (k.Deletes ? " deletes" : "")));
    }

    [Fact]
    public void For_MoreKindsThanTheLimit_GivesNoKinds()
    {
        // Every subset of the four columns is a kind of its own: 16 of them, more than MaxModifyKinds.
        var rows = Enumerable.Range(0, 16).Select(mask => (RowOperation.Update, new object?[]
        {
            (long)mask, (mask & 1) != 0 ? "x" : Unmodified, (mask & 2) != 0 ? 1L : Unmodified, (mask & 4) != 0 ? 1L : Unmodified, (mask & 8) != 0 ? 1L : Unmodified,
        })).ToArray();

        var few = BatchPlan.For(Batch(rows[..BatchPlan.MaxModifyKinds]));
        var many = BatchPlan.For(Batch(rows));

        Assert.Equal(BatchPlan.MaxModifyKinds, few.ModifyKinds.Count);
        Assert.Empty(many.ModifyKinds);
        Assert.Equal(16, many.Modifies.Length);
    }

    [Fact]
    public void For_OnlyUpserts_HasNothingToModify()
    {
        var plan = BatchPlan.For(Batch((RowOperation.Upsert, [1L, "one", 1L, 1L, 1L]), (RowOperation.UpsertThenDelete, [2L, "two", 2L, 2L, 2L])));

        Assert.Null(plan.Upserts);
        Assert.Empty(plan.Modifies);
        Assert.Empty(plan.ModifyKinds);
    }

    private static WriteBatch Batch(params (RowOperation Operation, object?[] Row)[] rows)
    {
        string[] columns = ["id", "a", "b", "c", "d"];
        var vectors = columns.Select(c => ColumnVector.Create(Items.Find(c)!.Type)).ToArray();
        foreach (var (_, row) in rows)
        {
            for (var i = 0; i < vectors.Length; i++)
            {
                if (ReferenceEquals(row[i], Unmodified))
                {
                    vectors[i].AppendUnmodified();
                }
                else
                {
                    vectors[i].Append(row[i]);
                }
            }
        }

        return new WriteBatch("conn", Items, SystemColumns.Tributary, columns, vectors, [.. rows.Select(r => r.Operation)], rows.Length, false, [],
            DateTimeOffset.UnixEpoch);
    }
}

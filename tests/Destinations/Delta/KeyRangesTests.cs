using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Writing;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>Pruning by the key ranges in the files' statistics: a file that can hold a key is never left out.</summary>
public sealed class KeyRangesTests
{
    [Fact]
    public void MayHoldAny_FloatKeyEqualToTheFilesBound_Holds()
    {
        var ranges = new KeyRanges("k", ColumnType.Float);
        var keys = ranges.SortedKeys(Batch(ColumnType.Float, 10.4f));

        Assert.True(ranges.MayHoldAny(File("a", """{"numRecords":1,"minValues":{"k":10.4},"maxValues":{"k":10.4}}"""), keys));
    }

    [Fact]
    public void MayHoldAny_KeysBetweenAndBeyondTheRange_OnlyTheFileWhoseRangeHoldsOne()
    {
        var ranges = new KeyRanges("k", ColumnType.Long);
        var keys = ranges.SortedKeys(Batch(ColumnType.Long, 30L, 5L, 99L));

        Assert.True(ranges.MayHoldAny(File("a", """{"minValues":{"k":1},"maxValues":{"k":10}}"""), keys));
        Assert.False(ranges.MayHoldAny(File("b", """{"minValues":{"k":11},"maxValues":{"k":29}}"""), keys));
        Assert.False(ranges.MayHoldAny(File("c", """{"minValues":{"k":100},"maxValues":{"k":200}}"""), keys));
        Assert.True(ranges.MayHoldAny(File("d", """{"numRecords":3}"""), keys));
    }

    [Fact]
    public void MayHoldAny_TimestampInsideTheMillisecondOfTheTruncatedMaximum_Holds()
    {
        var ranges = new KeyRanges("k", ColumnType.UtcDateTime);
        var keys = ranges.SortedKeys(Batch(ColumnType.UtcDateTime, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234)));

        Assert.True(ranges.MayHoldAny(File("a", """{"minValues":{"k":"2023-12-31T00:00:00.000Z"},"maxValues":{"k":"2024-01-01T00:00:00.000Z"}}"""), keys));
    }

    [Fact]
    public void CompareCodePoints_CharacterAboveTheBasicPlane_SortsAfterU_FFFD()
    {
        Assert.True(KeyRanges.CompareCodePoints("\U0001F600", "\uFFFD") > 0);
        Assert.True(string.CompareOrdinal("\U0001F600", "\uFFFD") < 0);   // UTF-16 order, which DuckDB does not use
        Assert.True(KeyRanges.CompareCodePoints("ab", "abc") < 0);
    }

    private static AddFile File(string path, string stats) => new(path, 1, 0, true, stats);

    private static WriteBatch Batch(ColumnType type, params object[] keys)
    {
        var table = new TableSchema("t", [new ColumnSchema("k", type), .. SystemColumns.Tributary.Trailing()], ["k"]);
        return new WriteBatch("s", table, SystemColumns.Tributary, OperationKind.Upsert, ["k"], [.. keys.Select(k => new object?[] { k })], [], DateTimeOffset.UnixEpoch);
    }
}

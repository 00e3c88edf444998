using System.Globalization;
using System.Text.Json;
using Tributary.Destinations.Delta.Log;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// Which data files can hold some key of a batch, by the range (<c>minValues</c>, <c>maxValues</c>) of the first key column
/// that each file's statistics record: the batch's keys are sorted once, and each file costs one binary search, so
/// pruning is linear in the files and never reads one. A file without usable bounds can hold any key. Strings compare by
/// code point (the byte order of their UTF-8, as DuckDB and Parquet order them); a timestamp's upper bound, truncated to the
/// millisecond, is widened by one.
/// </summary>
internal sealed class KeyRanges
{
    private readonly ColumnType _type;
    private readonly string _column;
    private readonly Comparison<object> _compare;
    private readonly Dictionary<string, (object Min, object Max)?> _parsed = new(StringComparer.Ordinal);

    /// <summary>Ranges of key column <paramref name="column"/>, of <paramref name="type"/>.</summary>
    public KeyRanges(string column, ColumnType type)
    {
        _column = column;
        _type = type;
        _compare = type.Type is DataType.Xml or DataType.String or DataType.Json
            ? static (a, b) => CompareCodePoints((string)a, (string)b)
            : static (a, b) => ((IComparable)a).CompareTo(b);
    }

    /// <summary>The key column this prunes on.</summary>
    public string Column => _column;

    /// <summary>The key column's type.</summary>
    public ColumnType Type => _type;

    /// <summary>The batch's keys of <see cref="Column"/>, comparable and sorted; null when the type cannot be pruned on (binary).</summary>
    public object[]? SortedKeys(WriteBatch batch)
    {
        if (_type.Type == DataType.Binary)
        {
            return null;
        }

        var vector = batch.Values[batch.IndexOf(_column)];
        var keys = new object[batch.RowCount];
        for (var row = 0; row < keys.Length; row++)
        {
            keys[row] = Normalize(vector.GetValue(row) ?? throw new InvalidOperationException($"Row {row} of the batch for table '{batch.Table.Name}' has no value for key column '{_column}'."));
        }

        Array.Sort(keys, _compare);
        return keys;
    }

    /// <summary>Whether <paramref name="file"/> can hold one of <paramref name="sortedKeys"/> (null: any key).</summary>
    public bool MayHoldAny(AddFile file, object[]? sortedKeys)
    {
        if (sortedKeys is null)
        {
            return true;
        }

        if (sortedKeys.Length == 0)
        {
            return false;
        }

        if (!_parsed.TryGetValue(file.Path, out var range))
        {
            _parsed[file.Path] = range = Parse(file.Stats);
        }

        if (range is not { } bounds)
        {
            return true;
        }

        // The first key at or above the file's minimum must not be above its maximum.
        int lo = 0, hi = sortedKeys.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_compare(sortedKeys[mid], bounds.Min) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < sortedKeys.Length && _compare(sortedKeys[lo], bounds.Max) <= 0;
    }

    /// <summary>
    /// <paramref name="files"/> by their ranges, when every one is known and none overlaps the next (each maximum below the
    /// next minimum): files written in key order then read one after the other give their rows in key order. Null otherwise.
    /// </summary>
    public List<AddFile>? InKeyOrder(IEnumerable<AddFile> files)
    {
        var ranged = new List<(AddFile File, object Min, object Max)>();
        foreach (var file in files)
        {
            if (!_parsed.TryGetValue(file.Path, out var range))
            {
                _parsed[file.Path] = range = Parse(file.Stats);
            }

            if (range is not { } bounds)
            {
                return null;
            }

            ranged.Add((file, bounds.Min, bounds.Max));
        }

        ranged.Sort((a, b) => _compare(a.Min, b.Min));
        for (var i = 1; i < ranged.Count; i++)
        {
            if (_compare(ranged[i - 1].Max, ranged[i].Min) >= 0)
            {
                return null;
            }
        }

        return [.. ranged.Select(r => r.File)];
    }

    /// <summary>Forgets the parsed ranges of files no longer in <paramref name="active"/> (keeps the cache as small as the table).</summary>
    public void Retain(IReadOnlyDictionary<string, AddFile> active)
    {
        if (_parsed.Count > 2 * active.Count + 64)
        {
            foreach (var path in _parsed.Keys.Where(p => !active.ContainsKey(p)).ToList())
            {
                _parsed.Remove(path);
            }
        }
    }

    private (object Min, object Max)? Parse(string? stats)
    {
        if (stats is null || _type.Type == DataType.Binary)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(stats);
            var root = document.RootElement;
            if (root.TryGetProperty("minValues", out var mins) && mins.TryGetProperty(_column, out var min)
                && root.TryGetProperty("maxValues", out var maxs) && maxs.TryGetProperty(_column, out var max)
                && FromStat(min, upper: false) is { } low && FromStat(max, upper: true) is { } high)
            {
                return (low, high);
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            // Statistics this destination did not write: the file can hold any key.
        }

        return null;
    }

    private object? FromStat(JsonElement value, bool upper) => _type.Type switch
    {
        DataType.Boolean => value.GetBoolean(),
        DataType.Short or DataType.Int or DataType.Long => value.GetInt64(),
        DataType.Decimal => value.TryGetDecimal(out var d) ? d : null,
        DataType.Float => (double)value.GetSingle(),   // as the batch's float keys widen: 10.4f is not 10.4
        DataType.Double => value.GetDouble(),
        DataType.NaiveDate => DateOnly.ParseExact(value.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        DataType.NaiveDateTime or DataType.UtcDateTime => Instant(value.GetString()!, upper),
        DataType.Xml or DataType.String or DataType.Json => value.GetString(),
        _ => null,
    };

    private static long Instant(string text, bool upper)
    {
        var ticks = DateTime.Parse(text.TrimEnd('Z'), CultureInfo.InvariantCulture, DateTimeStyles.None).Ticks;
        return upper ? ticks + TimeSpan.TicksPerMillisecond : ticks;
    }

    private object Normalize(object value) => value switch
    {
        short s => (long)s,
        int i => (long)i,
        float f => (double)f,
        DateTime t => t.Ticks,
        DateTimeOffset o => o.UtcTicks,
        _ when _type.Type == DataType.Decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Compares by Unicode code point: UTF-16 order, except that surrogates sort above U+E000–U+FFFF.</summary>
    internal static int CompareCodePoints(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y)
            {
                return Fix(x) - Fix(y);
            }
        }

        return a.Length - b.Length;

        static int Fix(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
    }
}

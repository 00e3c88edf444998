using System.Text.Json;
using Tributary.Destinations.Delta.Log;
using Tributary.Runtime.Schema;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// What the destination keeps of one Delta table between batches: its log, the last snapshot it read or committed
/// (refreshed before each use), and what it parsed of the files' statistics.
/// </summary>
internal sealed class DeltaTable(string schema, string name, DeltaTableLog log)
{
    private readonly Dictionary<string, long?> _rows = new(StringComparer.Ordinal);
    private KeyRanges? _ranges;

    /// <summary>The destination schema.</summary>
    public string Schema { get; } = schema;

    /// <summary>The table's name.</summary>
    public string Name { get; } = name;

    /// <summary>The table folder, relative to the lake root: <c>&lt;schema&gt;/&lt;table&gt;</c>.</summary>
    public string Path => Log.TablePath;

    /// <summary>The table's log.</summary>
    public DeltaTableLog Log { get; } = log;

    /// <summary>The last snapshot read or committed; null before the first read, or when the table does not exist.</summary>
    public DeltaSnapshot? Snapshot { get; set; }

    /// <summary>The lake path of the data file <paramref name="file"/> (an <c>add</c> path, relative to the table).</summary>
    public string FilePath(string file) => Path + "/" + Uri.UnescapeDataString(file);

    /// <summary>The key ranges of the table's files for its first key column (kept while that column and its type stay).</summary>
    public KeyRanges Ranges(TableSchema table)
    {
        var column = table.Find(table.PrimaryKey[0])
            ?? throw new InvalidDataException($"The key column '{table.PrimaryKey[0]}' of Delta table '{Path}' is not among its columns.");
        if (_ranges is null || _ranges.Column != column.Name || _ranges.Type != column.Type)
        {
            _ranges = new KeyRanges(column.Name, column.Type);
        }

        return _ranges;
    }

    /// <summary>The file's row count from its statistics, or null when they do not say.</summary>
    public long? Rows(AddFile file)
    {
        if (!_rows.TryGetValue(file.Path, out var rows))
        {
            _rows[file.Path] = rows = ReadStat<long>(file.Stats, static root => root.TryGetProperty("numRecords", out var n) ? n.GetInt64() : null);
        }

        return rows;
    }

    /// <summary>Forgets the parsed statistics of files no longer active.</summary>
    public void Retain(DeltaSnapshot snapshot)
    {
        _ranges?.Retain(snapshot.Files);
        if (_rows.Count > 2 * snapshot.Files.Count + 64)
        {
            foreach (var path in _rows.Keys.Where(p => !snapshot.Files.ContainsKey(p)).ToList())
            {
                _rows.Remove(path);
            }
        }
    }

    /// <summary>Whether the file may hold a row whose deleted flag is not set: unless its statistics say every row's is.</summary>
    public static bool MayHoldLiveRows(AddFile file, string deleted) =>
        ReadStat<bool>(file.Stats, root =>
            root.TryGetProperty("minValues", out var min) && min.TryGetProperty(deleted, out var flag) && flag.ValueKind == JsonValueKind.True
            && root.TryGetProperty("nullCount", out var nulls) && nulls.TryGetProperty(deleted, out var count) && count.GetInt64() == 0
                ? false
                : (bool?)true) ?? true;

    private static T? ReadStat<T>(string? stats, Func<JsonElement, T?> read) where T : struct
    {
        if (stats is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(stats);
            return read(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

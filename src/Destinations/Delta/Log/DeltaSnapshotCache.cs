namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// The latest snapshots of tables, shared by the destinations of one process over the same lake (the Functions host makes a
/// destination per run): a new destination starts from the cached snapshot and reads only the commits after it, instead
/// of loading the log from its last checkpoint. Keyed by the lake (a folder's full path or a container's URI) and the table
/// path; the least recently used entries go first once it holds more than its tables or data files. Safe for concurrent
/// use. A cached snapshot is only a starting point: every use refreshes it, and the refresh checks that its version's commit
/// is still the file it was built from (<see cref="DeltaTableLog.RefreshAsync"/>), so a table dropped and created again
/// elsewhere is loaded afresh, never served stale.
/// </summary>
internal sealed class DeltaSnapshotCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Lake, string Table), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recent = new();
    private long _files;

    /// <summary>A cache of at most <paramref name="maxTables"/> snapshots holding at most <paramref name="maxFiles"/> file entries (active files and tombstones) in all.</summary>
    public DeltaSnapshotCache(int maxTables = 256, long maxFiles = 200_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTables, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        MaxTables = maxTables;
        MaxFiles = maxFiles;
    }

    /// <summary>The process's cache: 256 tables, 200,000 file entries (some 100 MB at most).</summary>
    public static DeltaSnapshotCache Shared { get; } = new();

    /// <summary>The most snapshots held.</summary>
    public int MaxTables { get; }

    /// <summary>The most file entries (active files and tombstones) held in all; a larger snapshot is not cached.</summary>
    public long MaxFiles { get; }

    /// <summary>The snapshots held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The table's cached snapshot and the version its last vacuum here ran at, or nulls.</summary>
    public (DeltaSnapshot? Snapshot, long? VacuumedAt) Get(string lake, string table)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue((lake, table), out var node))
            {
                return (null, null);
            }

            _recent.Remove(node);
            _recent.AddFirst(node);
            return (node.Value.Snapshot, node.Value.VacuumedAt);
        }
    }

    /// <summary>Keeps <paramref name="snapshot"/> as the table's latest (forgets the table when null), then evicts down to the bounds.</summary>
    public void Set(string lake, string table, DeltaSnapshot? snapshot, long? vacuumedAt)
    {
        lock (_lock)
        {
            Remove((lake, table));
            if (snapshot is null || Size(snapshot) > MaxFiles)
            {
                return;
            }

            _entries[(lake, table)] = _recent.AddFirst(new Entry(lake, table, snapshot, vacuumedAt));
            _files += Size(snapshot);
            while (_entries.Count > MaxTables || _files > MaxFiles)
            {
                var oldest = _recent.Last!.Value;
                Remove((oldest.Lake, oldest.Table));
            }
        }
    }

    /// <summary>Forgets every table of <paramref name="schema"/> in the lake (it was dropped).</summary>
    public void RemoveSchema(string lake, string schema)
    {
        lock (_lock)
        {
            foreach (var key in _entries.Keys.Where(key => key.Lake == lake && key.Table.StartsWith(schema + "/", StringComparison.Ordinal)).ToList())
            {
                Remove(key);
            }
        }
    }

    private void Remove((string Lake, string Table) key)
    {
        if (_entries.Remove(key, out var node))
        {
            _recent.Remove(node);
            _files -= Size(node.Value.Snapshot);
        }
    }

    private static long Size(DeltaSnapshot snapshot) => snapshot.Files.Count + snapshot.Tombstones.Count;

    private sealed record Entry(string Lake, string Table, DeltaSnapshot Snapshot, long? VacuumedAt);
}

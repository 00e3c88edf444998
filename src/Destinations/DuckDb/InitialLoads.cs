using DuckDB.NET.Data;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>
/// Tables this destination created whose primary key is built after their initial load. Keeping a key index up to date
/// row by row is most of the cost of appending; building it once over the loaded rows is far cheaper. A table qualifies
/// when its key is one column of an ordered type. While every batch is upserts of keys above the largest key the table
/// holds (an initial load in key order: ids, timestamps), keys are unique by construction and the batch is appended
/// without a check, up to <see cref="DefaultMaxRows"/> rows. The first batch that is anything else, or that would pass that, builds
/// the key first, in its own transaction; so do the next
/// <see cref="DuckDbDestination.GetTablesAsync"/> of the schema (a run's start) and disposal. A table still waiting for
/// its key carries a comment naming the key column, so a crash leaves nothing that the next run does not finish.
/// </summary>
internal sealed class InitialLoads
{
    private const string Marker = "tributary: primary key to build on ";

    /// <summary>
    /// Rows a table loads before its key is built, by default. Building an index over n rows at once holds memory in
    /// proportion to n (measured with bench/: about 500 MB more than appending with the key, at 10 M rows); a million rows
    /// keep that to tens of MB, while most tables load whole before their key exists.
    /// </summary>
    internal const long DefaultMaxRows = 1_000_000;

    /// <summary>Tracks initial loads of at most <paramref name="maxRows"/> rows a table.</summary>
    public InitialLoads(long maxRows = DefaultMaxRows) => MaxRows = maxRows;

    /// <summary>Rows a table loads before its key is built.</summary>
    public long MaxRows { get; }

    private readonly Dictionary<string, Loading> _tables = new(StringComparer.Ordinal);

    /// <summary>The statement that marks a table created without its key.</summary>
    public static string MarkSql(string schema, TableSchema table) =>
        $"COMMENT ON TABLE {Sql.Table(schema, table.Name)} IS {Sql.Literal(Marker + table.PrimaryKey[0])};";

    /// <summary>The table's load, when it is still waiting for its key.</summary>
    public Loading? Find(string schema, string table) => _tables.GetValueOrDefault(Sql.Table(schema, table));

    /// <summary>
    /// Whether a table created by <paramref name="batch"/> can be loaded before its key is built: a key of one column of
    /// an ordered type, and the batch appends only.
    /// </summary>
    public static bool Defers(WriteBatch batch) =>
        batch.Table.PrimaryKey.Count == 1 && batch.Table.Find(batch.Table.PrimaryKey[0])?.Type.Type is
            DataType.Short or DataType.Int or DataType.Long or DataType.String or DataType.NaiveDate or DataType.NaiveDateTime or DataType.UtcDateTime
        && Appended(batch, out _);

    /// <summary>Whether <paramref name="batch"/> can be appended to the loading table without a key check: upserts only, every key above the table's.</summary>
    public bool AppendsOnly(Loading loading, WriteBatch batch) =>
        Appended(batch, out var range)
        && loading.Rows + batch.RowCount <= MaxRows
        && (range is null || loading.Max is null || range.Value.Min.GetType() == loading.Max.GetType() && Compare(range.Value.Min, loading.Max) > 0);

    /// <summary>Records a committed batch of a table created without its key, or appended to one that is loading.</summary>
    public void Loaded(WriteBatch batch)
    {
        Appended(batch, out var range);
        var name = Sql.Table(batch.Schema, batch.Table.Name);
        if (!_tables.TryGetValue(name, out var loading))
        {
            _tables[name] = loading = new Loading(batch.Schema, batch.Table.Name, batch.Table.PrimaryKey[0]);
        }

        loading.Max = range?.Max ?? loading.Max;
        loading.Rows += batch.RowCount;
    }

    /// <summary>Forgets a table whose key was built, or whose schema was dropped.</summary>
    public void Forget(string schema, string? table = null) =>
        _tables.Where(p => p.Value.Schema == schema && (table is null || p.Value.Table == table)).Select(p => p.Key).ToList()
            .ForEach(name => _tables.Remove(name));

    /// <summary>Every table of this destination still waiting for its key.</summary>
    public IReadOnlyList<Loading> All => [.. _tables.Values];

    /// <summary>Builds the key of the table: the key constraint, and the marker cleared. Part of the caller's transaction.</summary>
    public static void BuildKey(DuckDBConnection connection, string schema, string table, string key)
    {
        var target = Sql.Table(schema, table);
        DuckDbDestination.Execute(connection, $"ALTER TABLE {target} ADD PRIMARY KEY ({Sql.Quote(key)}); COMMENT ON TABLE {target} IS NULL;");
    }

    /// <summary>Builds the key of every table in <paramref name="schema"/> that waits for one (after a crash, in the file).</summary>
    public void BuildPendingKeys(DuckDBConnection connection, string schema)
    {
        var pending = new List<(string Table, string Key)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = $schema AND starts_with(comment, $marker)";
            command.Parameters.Add(new DuckDBParameter("schema", schema));
            command.Parameters.Add(new DuckDBParameter("marker", Marker));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                pending.Add((reader.GetString(0), reader.GetString(1)[Marker.Length..]));
            }
        }

        foreach (var (table, key) in pending)
        {
            using var transaction = connection.BeginTransaction();
            BuildKey(connection, schema, table, key);
            transaction.Commit();
            Forget(schema, table);
        }

        // One checkpoint for every key built here, so a run starts (or the file closes) with them in the file.
        if (pending.Count > 0)
        {
            DuckDbDestination.Execute(connection, "CHECKPOINT");
        }
    }

    /// <summary>
    /// Whether the batch only appends: no truncate, only upserts, keys strictly increasing in row order (so unique). Then
    /// <paramref name="range"/> is the smallest and largest key; <see langword="null"/> for a batch without rows.
    /// </summary>
    private static bool Appended(WriteBatch batch, out (object Min, object Max)? range)
    {
        range = null;
        if (batch.Truncate || batch.UpsertCount != batch.RowCount)
        {
            return false;
        }

        if (batch.RowCount == 0)
        {
            return true;
        }

        var keys = batch.Values[batch.IndexOf(batch.Table.PrimaryKey[0])];
        return keys switch
        {
            ColumnVector<long> longs => Increasing(longs, batch.RowCount, Comparer<long>.Default, out range),
            ColumnVector<int> ints => Increasing(ints, batch.RowCount, Comparer<int>.Default, out range),
            ColumnVector<short> shorts => Increasing(shorts, batch.RowCount, Comparer<short>.Default, out range),
            ColumnVector<string> texts => Increasing(texts, batch.RowCount, StringComparer.Ordinal, out range),
            ColumnVector<DateOnly> dates => Increasing(dates, batch.RowCount, Comparer<DateOnly>.Default, out range),
            ColumnVector<DateTime> times => Increasing(times, batch.RowCount, Comparer<DateTime>.Default, out range),
            ColumnVector<DateTimeOffset> instants => Increasing(instants, batch.RowCount, Comparer<DateTimeOffset>.Default, out range),
            _ => false,
        };
    }

    // Whether the first rowCount keys are non-NULL and strictly increasing; then their range.
    private static bool Increasing<T>(ColumnVector<T> keys, int rowCount, IComparer<T> comparer, out (object Min, object Max)? range)
    {
        range = null;
        var values = keys.Values;
        for (var row = 0; row < rowCount; row++)
        {
            if (keys.IsNull(row) || row > 0 && comparer.Compare(values[row], values[row - 1]) <= 0)
            {
                return false;
            }
        }

        range = (values[0]!, values[rowCount - 1]!);
        return true;
    }

    // Any total order consistent with equality keeps keys unique; strings compare by their UTF-16 code units.
    private static int Compare(object a, object b) => a is string text ? string.CompareOrdinal(text, (string)b) : ((IComparable)a).CompareTo(b);

    /// <summary>A table loading before its key exists: every key it holds is at most <see cref="Max"/>.</summary>
    internal sealed class Loading(string schema, string table, string key)
    {
        public string Schema { get; } = schema;

        public string Table { get; } = table;

        public string Key { get; } = key;

        public object? Max { get; set; }

        public long Rows { get; set; }
    }
}

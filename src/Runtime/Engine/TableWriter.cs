using System.Security.Cryptography;
using System.Text;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Runtime;

/// <summary>
/// One destination table during a sync: resolves source names to columns, coerces and infers types, plans
/// schema changes, and folds the operations since the last flush into the next <see cref="WriteBatch"/>, one row per
/// key in arrival order (an upsert replaces what came before it, an update merges into it, a delete marks it). Used by
/// the engine's single consumer, so it needs no locking.
/// </summary>
internal sealed class TableWriter
{
    private const int RecentMaps = 4;   // row shapes whose column maps are kept: an upsert, an update and a delete interleave

    private readonly string _sourceName;
    private readonly SystemColumns _system;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, ColumnType> _declared;
    private readonly IReadOnlyList<string> _declaredKey;
    private readonly Dictionary<string, int> _indexBySource = new(StringComparer.Ordinal);
    private readonly List<SchemaChange> _pendingChanges = [];
    private List<ColumnSchema> _columns = [];   // writable columns: every column but synced and deleted
    private string[] _columnNames = [];
    private int[] _keyIndexes = [];
    private bool[] _isKey = [];
    private bool[] _isDeclared = [];
    private readonly (string[] Names, int[] Map)[] _recentMaps = new (string[], int[])[RecentMaps];   // most recent first
    private int _recentCount;
    private TableSchema? _schema;

    private readonly Dictionary<(RowType, bool KeysOnly), RowPlan?> _plans = [];   // typed paths for the current columns
    private readonly PendingRows _pending = new();   // the next batch's rows, aligned with _columns
    private bool _truncatePending;
    private object?[] _scratch = [];            // one row being built, aligned with _columns

    public TableWriter(string sourceName, string name, TableDefinition? declaration, TableSchema? existing, SystemColumns system, TimeProvider time)
    {
        _time = time;
        _sourceName = sourceName;
        Name = name;
        _system = system;
        _declared = new Dictionary<string, ColumnType>(StringComparer.Ordinal);
        foreach (var (column, type) in declaration?.Columns ?? new Dictionary<string, ColumnType>())
        {
            if (!_declared.TryAdd(Names.Normalize(column), type))
            {
                throw new SyncException($"Table '{sourceName}' declares two columns that normalise to '{Names.Normalize(column)}'; rename one.");
            }
        }

        _declaredKey = [.. (declaration?.PrimaryKey ?? []).Select(Names.Normalize)];
        if (existing is not null)
        {
            Open(existing);
        }
    }

    /// <summary>Normalised table name.</summary>
    public string Name { get; }

    /// <summary>This run's operation counts for the table.</summary>
    public required TableCounts Counts { get; init; }

    /// <summary>Whether the table exists (in the destination, or will with the next batch).</summary>
    public bool Exists => _schema is not null;

    /// <summary>Rows buffered for the next batch: one per key.</summary>
    public int Buffered => _pending.Count;

    /// <summary>Estimated bytes of the values buffered for the next batch (a value replaced in place still counts).</summary>
    public long BufferedBytes => _pending.Bytes;

    /// <summary>Whether rows, a truncate or a schema change wait to be written.</summary>
    public bool HasPending => _pending.Count > 0 || _pendingChanges.Count > 0 || _truncatePending;

    /// <summary>Folds an upsert into the pending rows. Returns the batch to write first when the schema must change.</summary>
    public WriteBatch? Upsert(RowFields row, string schema)
    {
        if (row.Source is not null)
        {
            if (TryFold(row, RowOperation.Upsert))
            {
                return null;
            }

            row = row.Copied();
        }

        var values = Build(row, full: true, out var changes);
        WriteBatch? flushed = null;
        if (changes is not null)
        {
            flushed = TakeBatch(schema);
            Apply(changes);
            values = Build(row, full: true, out _);
        }

        if (_schema is null)
        {
            throw new InvalidOperationException("The table has no schema after its first upsert.");
        }

        if (_declaredKey.Count == 0 && _keyIndexes.Length == 1 && _columns[_keyIndexes[0]].Name == _system.Id)
        {
            values[_keyIndexes[0]] = SurrogateId(values);
        }

        _pending.Add(values, RowOperation.Upsert, KeyOf(values, row, "upsert"), _columns);
        return flushed;
    }

    /// <summary>Folds an update or a delete into the pending rows. Returns the batch to write first, if any;
    /// <see langword="null"/> with <paramref name="skipped"/> set when the table does not exist (every key is unknown).</summary>
    public WriteBatch? Change(OperationKind kind, RowFields row, string schema, out bool skipped)
    {
        skipped = _schema is null;
        if (skipped)
        {
            return null;
        }

        var delete = kind == OperationKind.Delete;
        if (row.Source is not null)
        {
            if (TryFold(row, delete ? RowOperation.Delete : RowOperation.Update))
            {
                return null;
            }

            row = row.Copied();
        }

        var values = Build(row, full: false, out var changes, keysOnly: delete);
        WriteBatch? flushed = null;
        if (changes is not null)
        {
            flushed = TakeBatch(schema);
            Apply(changes);
            values = Build(row, full: false, out _, keysOnly: delete);
        }

        _pending.Add(values, delete ? RowOperation.Delete : RowOperation.Update, KeyOf(values, row, delete ? "delete" : "update"), _columns);
        return flushed;
    }

    /// <summary>Marks a truncate: a barrier, so the rows pending before it are returned as the batch to write first.</summary>
    public WriteBatch? Truncate(string schema)
    {
        if (_schema is null)
        {
            return null;
        }

        var flushed = _pending.Count > 0 ? TakeBatch(schema) : null;
        _truncatePending = true;
        return flushed;
    }

    /// <summary>The pending batch, or <see langword="null"/> when nothing waits; the buffer starts empty again.</summary>
    public WriteBatch? TakeBatch(string schema)
    {
        if (!HasPending || _schema is null)
        {
            return null;
        }

        var (vectors, operations, count) = _pending.Take();
        var batch = vectors is null
            ? new WriteBatch(schema, _schema, _system, [], [], [], 0, _truncatePending, [.. _pendingChanges], _time.GetUtcNow())
            : new WriteBatch(schema, _schema, _system, _columnNames, vectors, operations, count, _truncatePending, [.. _pendingChanges], _time.GetUtcNow());
        _pendingChanges.Clear();
        _truncatePending = false;
        return batch;
    }

    /// <summary>The schema as last planned, including changes not yet written.</summary>
    public TableSchema? Schema => _schema;

    private void Open(TableSchema existing)
    {
        _schema = existing;
        _columns = [.. existing.Columns.Where(c => c.Name != _system.Synced && c.Name != _system.Deleted)];
        _keyIndexes = [.. existing.PrimaryKey.Select(k => _columns.FindIndex(c => c.Name == k))];
        Reindex();
        var expectedKey = _declaredKey.Count > 0 ? _declaredKey : [_system.Id];
        if (!expectedKey.SequenceEqual(existing.PrimaryKey))
        {
            throw new SyncException(
                $"Table '{Name}' has primary key ({string.Join(", ", existing.PrimaryKey)}) in the destination, but the connector declares " +
                $"({string.Join(", ", expectedKey)}). Reset the connector to rebuild it.");
        }

        // Declared columns the table lacks are added; declared types wider than the existing ones widen them.
        var changes = new List<SchemaChange>();
        foreach (var (name, declared) in _declared)
        {
            var index = _columns.FindIndex(c => c.Name == name);
            if (index < 0)
            {
                changes.Add(new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema(name, declared)));
            }
            else if (_columns[index].Type != declared && TypeSystem.Widen(_columns[index].Type, declared) == declared)
            {
                changes.Add(new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema(name, declared)));
            }
        }

        if (changes.Count > 0)
        {
            Apply(changes);
        }
    }

    /// <summary>Hands a written batch's vectors back for the next batches. Called by the engine's writer.</summary>
    public void Recycle(WriteBatch batch) => _pending.Recycle(batch);

    /// <summary>Counts updates and deletes whose key did not exist. Called by the consumer and the writer.</summary>
    public void AddUnknownKeys(long count)
    {
        lock (Counts)
        {
            Counts.UnknownKeys += count;
        }
    }

    private static readonly object Unset = PendingRows.Unset;

    /// <summary>
    /// The typed path of a captured row (<see cref="RowReader.Capture"/>): when every column of the row exists and takes
    /// the row's values as they are, they go into the pending rows typed, with no boxing and no coercion. False when the
    /// row needs more (a new or wider column, a conversion, a surrogate key, a key that is NULL); the general path then
    /// takes it, with the same result.
    /// </summary>
    private bool TryFold(RowFields row, RowOperation operation)
    {
        if (_schema is null || Plan(row, keysOnly: operation == RowOperation.Delete) is not { } plan)
        {
            return false;
        }

        var source = row.Source!;
        if (plan.KeyOf(source) is not { } key)
        {
            return false;
        }

        _pending.Add(plan.Columns, source, operation, key, _columns);
        return true;
    }

    /// <summary>The typed path of a row type for the table's current columns; <see langword="null"/> when the type cannot take it.</summary>
    private RowPlan? Plan(RowFields row, bool keysOnly) =>
        _plans.TryGetValue((row.Type!, keysOnly), out var known) ? known : _plans[(row.Type!, keysOnly)] = NewPlan(row, keysOnly);

    // Apart from Plan, which runs for every row: its lambdas' captures would be allocated on each call.
    private RowPlan? NewPlan(RowFields row, bool keysOnly)
    {
        var map = Map(row.Names);
        var fields = row.Type!.Fields;
        var columns = new TypedField?[_columns.Count];
        var typed = _declaredKey.Count > 0;   // a surrogate key hashes the coerced values: the general path
        for (var i = 0; typed && i < map.Length; i++)
        {
            var index = map[i];
            if (index >= 0 && keysOnly && !_isKey[index])
            {
                continue;
            }

            typed = index >= 0 && fields[i] is { } field && field.Fits(_columns[index].Type);
            if (typed)
            {
                columns[index] = fields[i];
            }
        }

        return typed && Array.TrueForAll(_keyIndexes, k => columns[k] is not null)
            ? new RowPlan(columns, [.. _keyIndexes.Select(k => columns[k]!)])
            : null;
    }

    /// <summary>A row type's typed path: the field of each column it sets (aligned with the columns), and of each key column.</summary>
    private sealed record RowPlan(TypedField?[] Columns, TypedField[] Key)
    {
        /// <summary>The row's key, one value or a composite, as the general path makes it; <see langword="null"/> when a part is NULL.</summary>
        public object? KeyOf(object row)
        {
            if (Key.Length == 1)
            {
                return Key[0].Box(row);
            }

            var parts = new object[Key.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (Key[i].Box(row) is not { } part)
                {
                    return null;
                }

                parts[i] = part;
            }

            return new RowKeys.Composite(parts);
        }
    }

    /// <summary>
    /// Maps a row onto the table's writable columns, coercing each value. Columns the row does not set are NULL
    /// (<paramref name="full"/>) or <see cref="Unset"/>. Returns schema changes instead when the row needs them.
    /// </summary>
    private object?[] Build(RowFields row, bool full, out List<SchemaChange>? changes, bool keysOnly = false)
    {
        changes = null;
        var map = Map(row.Names);
        if (_scratch.Length != _columns.Count)
        {
            _scratch = new object?[_columns.Count];
        }

        var values = _scratch;
        Array.Fill(values, full ? null : Unset);

        for (var i = 0; i < map.Length; i++)
        {
            var index = map[i];
            var value = TypeSystem.Unwrap(row.Values[i]);   // a JSON scalar read once, not again by each check below
            if (index < 0)
            {
                var name = Names.Normalize(row.Names[i]);
                if (name == _system.Synced || name == _system.Deleted)
                {
                    throw new SyncException($"Table '{_sourceName}': column '{row.Names[i]}' is a system column name; rename it.");
                }

                var type = _declared.TryGetValue(name, out var declared) ? declared : TypeSystem.Infer(value);
                if (!keysOnly && type is { } known)
                {
                    (changes ??= []).Add(new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema(name, known)));
                }

                continue;   // an undeclared column that is only NULL is not created; a delete reads only its keys
            }

            if (keysOnly && !_isKey[index])
            {
                continue;
            }

            var column = _columns[index];
            if (!_isDeclared[index] && !TypeSystem.IsCanonical(value, column.Type) && TypeSystem.Infer(value) is { } inferred)
            {
                var widened = TypeSystem.Widen(column.Type, inferred);
                if (widened != column.Type)
                {
                    (changes ??= []).Add(new SchemaChange(SchemaChangeKind.WidenColumn, column with { Type = widened }));
                    continue;
                }
            }

            values[index] = Coerce(value, column, row);
        }

        if (changes is null && _schema is null)
        {
            // The first upsert creates the table: declared columns, then the row's own, then the system columns.
            changes = [];
        }

        return values;
    }

    /// <summary>
    /// Source column positions → writable column indexes (-1: not a column yet). Rows of one POCO type share
    /// their names array and most dictionary or JSON rows repeat the same keys, so the maps of the last few row shapes are reused.
    /// </summary>
    private int[] Map(string[] names)
    {
        for (var r = 0; r < _recentCount; r++)
        {
            var (recent, recentMap) = _recentMaps[r];
            if (SameNames(names, recent))
            {
                if (r > 0)
                {
                    Array.Copy(_recentMaps, 0, _recentMaps, 1, r);
                    _recentMaps[0] = (recent, recentMap);
                }

                return recentMap;
            }
        }

        var map = new int[names.Length];
        var seen = new Dictionary<string, string>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            var source = names[i];
            var name = Names.Normalize(source);
            if (!seen.TryAdd(name, source))
            {
                throw new SyncException($"Table '{_sourceName}': columns '{seen[name]}' and '{source}' of one row both normalise to '{name}'; rename one.");
            }

            if (!_indexBySource.TryGetValue(source, out var index))
            {
                index = _columns.FindIndex(c => c.Name == name);
                if (index >= 0)
                {
                    _indexBySource[source] = index;
                }
            }

            map[i] = index;
        }

        // A map with unknown columns is not kept: they become columns after the schema change.
        if (Array.IndexOf(map, -1) < 0)
        {
            Array.Copy(_recentMaps, 0, _recentMaps, 1, Math.Min(_recentCount, RecentMaps - 1));
            _recentMaps[0] = (names, map);
            _recentCount = Math.Min(_recentCount + 1, RecentMaps);
        }

        return map;
    }

    private static bool SameNames(string[] names, string[] other)
    {
        if (ReferenceEquals(names, other))
        {
            return true;   // rows of one POCO type share their names array
        }

        if (names.Length != other.Length)
        {
            return false;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (!string.Equals(names[i], other[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private object? Coerce(object? value, ColumnSchema column, RowFields row)
    {
        try
        {
            return TypeSystem.Coerce(value, column.Type);
        }
        catch (FormatException ex)
        {
            throw new SyncException(
                $"Table '{_sourceName}', column '{column.Name}'{DescribeKey(row)}: value '{Describe(value)}' cannot be converted to {column.Type}: {ex.Message}", ex);
        }
    }

    private void Apply(List<SchemaChange> changes)
    {
        if (_schema is null)
        {
            CreateSchema(changes);
            return;
        }

        foreach (var change in changes)
        {
            var column = change.Column!;
            var index = _columns.FindIndex(c => c.Name == column.Name);
            if (change.Kind == SchemaChangeKind.AddColumn && index < 0)
            {
                _columns.Add(column);
            }
            else if (change.Kind == SchemaChangeKind.WidenColumn && index >= 0)
            {
                if (Array.IndexOf(_keyIndexes, index) >= 0)
                {
                    throw new SyncException(
                        $"Table '{_sourceName}': primary-key column '{column.Name}' would have to widen from {_columns[index].Type} to {column.Type}; declare its type in the schema.");
                }

                _columns[index] = column;
            }
            else
            {
                continue;
            }

            _pendingChanges.Add(change);
        }

        _schema = new TableSchema(Name, [.. ColumnsWithSystem()], _schema.PrimaryKey);
        Reindex();
    }

    // Per-column flags for the hot path; the cached name map is stale after any change to the columns.
    private void Reindex()
    {
        _isKey = [.. _columns.Select((_, i) => Array.IndexOf(_keyIndexes, i) >= 0)];
        _isDeclared = [.. _columns.Select(c => _declared.ContainsKey(c.Name))];
        _columnNames = [.. _columns.Select(c => c.Name)];
        _recentCount = 0;
        _plans.Clear();
    }

    private void CreateSchema(List<SchemaChange> rowColumns)
    {
        var columns = new List<ColumnSchema>();
        foreach (var (name, type) in _declared)
        {
            columns.Add(new ColumnSchema(name, type));
        }

        foreach (var key in _declaredKey.Where(k => !_declared.ContainsKey(k)))
        {
            var inferred = rowColumns.FirstOrDefault(c => c.Column!.Name == key)?.Column
                ?? throw new SyncException($"Table '{_sourceName}': the first upsert has no value for primary-key column '{key}'.");
            columns.Add(inferred);
        }

        foreach (var change in rowColumns)
        {
            if (columns.TrueForAll(c => c.Name != change.Column!.Name))
            {
                columns.Add(change.Column!);
            }
        }

        if (_declaredKey.Count == 0)
        {
            columns.Add(new ColumnSchema(_system.Id, ColumnType.String));
        }

        _columns = columns;
        var primaryKey = _declaredKey.Count > 0 ? _declaredKey : [_system.Id];
        _keyIndexes = [.. primaryKey.Select(k => _columns.FindIndex(c => c.Name == k))];
        _schema = new TableSchema(Name, [.. ColumnsWithSystem()], primaryKey);
        Reindex();
        _pendingChanges.Add(new SchemaChange(SchemaChangeKind.CreateTable, null));
    }

    private IEnumerable<ColumnSchema> ColumnsWithSystem()
    {
        // Existing tables keep their physical order: columns added later come after the system columns.
        var existing = _schema?.Columns;
        if (existing is null)
        {
            return _columns.Concat(_system.Trailing());
        }

        var ordered = new List<ColumnSchema>();
        foreach (var column in existing)
        {
            ordered.Add(_columns.Find(c => c.Name == column.Name) ?? column);
        }

        ordered.AddRange(_columns.Where(c => ordered.TrueForAll(o => o.Name != c.Name)));
        return ordered;
    }

    private object KeyOf(object?[] values, RowFields row, string operation)
    {
        if (_keyIndexes.Length == 1)
        {
            return values[_keyIndexes[0]] is { } single && !ReferenceEquals(single, Unset) ? single : throw MissingKey(0, row, operation);
        }

        var parts = new object[_keyIndexes.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = values[_keyIndexes[i]] is { } part && !ReferenceEquals(part, Unset) ? part : throw MissingKey(i, row, operation);
        }

        return new RowKeys.Composite(parts);
    }

    private SyncException MissingKey(int keyPosition, RowFields row, string operation) => new(
        $"Table '{_sourceName}': {operation} is missing primary-key column '{_columns[_keyIndexes[keyPosition]].Name}' " +
        $"(every key column is required; the row has {string.Join(", ", row.Names)}).");

    private string DescribeKey(RowFields row)
    {
        var parts = new List<string>();
        foreach (var keyIndex in _keyIndexes)
        {
            var keyName = _columns[keyIndex].Name;
            var position = Array.FindIndex(row.Names, n => Names.Normalize(n) == keyName);
            if (position >= 0)
            {
                parts.Add($"{keyName}={Describe(row.Values[position])}");
            }
        }

        return parts.Count == 0 ? string.Empty : $", key ({string.Join(", ", parts)})";
    }

    private static string Describe(object? value) => value is null ? "NULL" : TypeSystem.ToText(value);

    private string SurrogateId(object?[] values)
    {
        // A stable hash of the row's non-null values by column name: identical rows collapse into one.
        var builder = new StringBuilder();
        foreach (var (column, value) in _columns.Zip(values).Where(p => p.Second is not null && p.First.Name != _system.Id).OrderBy(p => p.First.Name, StringComparer.Ordinal))
        {
            builder.Append(column.Name).Append('\u001f').Append(TypeSystem.ToText(value!)).Append('\u001e');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())).AsSpan(0, 16));
    }
}

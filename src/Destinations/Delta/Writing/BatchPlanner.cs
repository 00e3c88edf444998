using Tributary.Destinations.Delta.Log;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// What one batch does to one Delta table at one snapshot: the schema changes that snapshot still needs (worked out from
/// the table as the log has it and as the batch wants it, so a batch that races another writer's schema change, or a
/// table created twice, still applies), and the active files the batch must rewrite — every file when a column is
/// widened, the files that may hold live rows when the batch truncates, and the files whose key range can hold one of
/// the batch's keys. New keys outside every range touch no file: they are appended as new files.
/// </summary>
internal sealed class BatchPlanner
{
    private readonly KeyRanges? _ranges;
    private readonly object[]? _keys;

    private BatchPlanner(
        DeltaSnapshot? snapshot, TableSchema before, TableSchema after, WriteBatch batch, bool widens, KeyRanges? ranges, object[]? keys, IReadOnlyList<AddFile>? loads = null)
    {
        (Snapshot, Before, After, Batch, Widens, _ranges, _keys) = (snapshot, before, after, batch, widens, ranges, keys);
        Loads = loads ?? (snapshot is null ? [] : [.. snapshot.Files.Values.Where(Touches)]);
    }

    /// <summary>The snapshot the batch is planned on and will be committed after; null for a table that does not exist yet.</summary>
    public DeltaSnapshot? Snapshot { get; }

    /// <summary>The table before the batch: as the snapshot has it, or as the batch creates it.</summary>
    public TableSchema Before { get; }

    /// <summary>The table after the batch.</summary>
    public TableSchema After { get; }

    /// <summary>The batch, with the schema changes <see cref="Before"/> needs to become <see cref="After"/> (never a create).</summary>
    public WriteBatch Batch { get; }

    /// <summary>Whether a column is widened, so every file is rewritten.</summary>
    public bool Widens { get; }

    /// <summary>The active files the batch rewrites.</summary>
    public IReadOnlyList<AddFile> Loads { get; private set; }

    /// <summary>
    /// Whether <see cref="Loads"/> were chosen by key range alone, so reading their key column can rule some out (a file
    /// whose range spans a key it does not hold: any file of a table keyed by a hash).
    /// </summary>
    public bool CanNarrow => !Widens && !Batch.Truncate && Batch.RowCount > 0 && Loads.Count > 0;

    /// <summary>Keeps only the loads that hold one of the batch's keys.</summary>
    public void Narrow(IReadOnlyList<AddFile> holding) => Loads = holding;

    /// <summary>Plans <paramref name="batch"/> on <paramref name="table"/>'s current snapshot.</summary>
    public static BatchPlanner Plan(DeltaTable table, WriteBatch batch)
    {
        var snapshot = table.Snapshot;
        var wanted = batch.Table;
        if (wanted.PrimaryKey.Count == 0)
        {
            throw new ArgumentException($"Table '{wanted.Name}' has no primary key; the engine gives every table one (a surrogate key for keyless tables).", nameof(batch));
        }

        if (snapshot is null)
        {
            return new BatchPlanner(null, wanted, wanted, Rebuild(batch, wanted, []), false, null, null);
        }

        var existing = DeltaSchema.Read(wanted.Name, snapshot.Metadata);
        var columns = new List<ColumnSchema>(existing.Columns);
        var changes = new List<SchemaChange>();
        foreach (var column in wanted.Columns)
        {
            var index = columns.FindIndex(c => c.Name == column.Name);
            if (index < 0)
            {
                columns.Add(column);
                changes.Add(new SchemaChange(SchemaChangeKind.AddColumn, column));
            }
            else if (columns[index].Type != column.Type)
            {
                columns[index] = column;
                changes.Add(new SchemaChange(SchemaChangeKind.WidenColumn, column));
            }
        }

        var key = existing.PrimaryKey.Count > 0 ? existing.PrimaryKey : wanted.PrimaryKey;
        var after = new TableSchema(wanted.Name, columns, key);
        var ranges = table.Ranges(after);
        var derived = Rebuild(batch, after, changes);
        return new BatchPlanner(
            snapshot, existing, after, derived, changes.Any(c => c.Kind == SchemaChangeKind.WidenColumn), ranges,
            batch.RowCount == 0 ? [] : ranges.SortedKeys(derived));
    }

    /// <summary>
    /// The protocol to commit: the first one, the lowest the table's types need; later, that one when the table's does
    /// not cover it (a new <c>timestamp_ntz</c> column); null otherwise. A protocol is never lowered, even once a widening
    /// turned the last such column into a string: the table's history still holds it, and Delta drops a feature only
    /// with that history truncated.
    /// </summary>
    public DeltaProtocol? ProtocolChange()
    {
        var needed = DeltaSchema.ProtocolFor(After);
        return Snapshot is not null && DeltaSchema.Covers(Snapshot.Protocol, needed) ? null : needed;
    }

    /// <summary>
    /// The metadata to commit: for a new table, a schema change, a fence larger than the table's, or when
    /// <paramref name="force"/>; otherwise null.
    /// </summary>
    public DeltaMetadata? Metadata(bool force, TimeProvider time)
    {
        var metadata = DeltaSchema.Metadata(After, Snapshot?.Metadata, Batch.Fence, time);
        var previous = Snapshot?.Metadata;
        var same = previous is not null && previous.SchemaString == metadata.SchemaString
            && previous.Configuration.Count == metadata.Configuration.Count
            && previous.Configuration.All(p => metadata.Configuration.TryGetValue(p.Key, out var v) && v == p.Value);
        return force || !same ? metadata : null;
    }

    /// <summary>The commit of a batch that changed no rows: its protocol and metadata, if any; null when there is nothing to commit.</summary>
    public DeltaCommit? SchemaCommit(TimeProvider time)
    {
        var protocol = ProtocolChange();
        var metadata = Metadata(force: false, time);
        return protocol is null && metadata is null
            ? null
            : new DeltaCommit(Snapshot is null ? "CREATE TABLE" : "SET TBLPROPERTIES", protocol, metadata, [], []);
    }

    /// <summary>
    /// This plan moved onto <paramref name="newer"/>, when the commits since its snapshot leave it valid: the same schema and
    /// fence, every file it rewrites still active, and no file added since that it would have had to rewrite (another
    /// writer's appends of other keys). Null when the batch must be planned again.
    /// </summary>
    public BatchPlanner? StillHolds(DeltaSnapshot? newer)
    {
        if (Snapshot is null || newer is null
            || newer.Metadata.SchemaString != Snapshot.Metadata.SchemaString
            || DeltaSchema.FenceOf(newer.Metadata) != DeltaSchema.FenceOf(Snapshot.Metadata)
            || Loads.Any(f => !newer.Files.ContainsKey(f.Path))
            || newer.Files.Values.Any(f => !Snapshot.Files.ContainsKey(f.Path) && Touches(f)))
        {
            return null;
        }

        return new BatchPlanner(newer, Before, After, Batch, Widens, _ranges, _keys, Loads);
    }

    private bool Touches(AddFile file) =>
        Widens
        || (Batch.Truncate && DeltaTable.MayHoldLiveRows(file, Batch.SystemColumns.Deleted))
        || (_ranges is not null && _ranges.MayHoldAny(file, _keys));

    /// <summary>The batch over <paramref name="table"/> with <paramref name="changes"/> instead of its own.</summary>
    private static WriteBatch Rebuild(WriteBatch batch, TableSchema table, IReadOnlyList<SchemaChange> changes) =>
        new(batch.Schema, table, batch.SystemColumns, batch.Columns, batch.Values, batch.Operations.ToArray(), batch.RowCount, batch.Truncate, changes, batch.SyncedAt)
        {
            Fence = batch.Fence,
        };
}

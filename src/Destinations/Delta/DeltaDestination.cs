using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;
using Tributary.Destinations.Delta.Writing;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Destinations.Delta;

/// <summary>
/// Writes batches into Delta Lake tables at <c>&lt;root&gt;/&lt;schema&gt;/&lt;table&gt;/</c> in a local folder or a blob
/// container: Parquet data files and a <c>_delta_log</c> of JSON commits. Each batch is one Delta commit (the exclusive
/// creation of the table's next log version): new keys append files; upserts, updates and deletes of existing keys
/// rewrite only the files whose key range can hold them (copy-on-write, <see cref="BatchWriter"/>). An in-memory DuckDB
/// database is the engine: it applies a batch with the DuckDB destination's own statements and reads and writes Parquet.
/// </summary>
public sealed class DeltaDestination : IDestination
{
    private const long VacuumInterval = 100;
    private readonly DeltaDestinationOptions _options;
    private readonly ILogger _logger;
    private readonly ILakeStorage _storage;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, DeltaTable> _tables = new(StringComparer.Ordinal);
    private readonly DeltaSnapshotCache _cache;
    private readonly string _lake;
    private readonly string _scratch;
    private WorkingTable? _engine;
    private bool _disposed;

    /// <summary>Creates the destination; nothing is read or written until the first call.</summary>
    /// <param name="options">The lake (a folder or a container) and file sizes.</param>
    /// <param name="logger">Receives notes on each commit; none when omitted.</param>
    /// <exception cref="ArgumentException">The options name no lake, or two, or a size below one (see <see cref="DeltaDestinationOptions.Validate"/>).</exception>
    public DeltaDestination(DeltaDestinationOptions options, ILogger<DeltaDestination>? logger = null)
        : this(Validated(options), null, logger)
    {
    }

    /// <summary>
    /// The destination over <paramref name="storage"/> (tests wrap a lake's storage; the options' lake then only names the
    /// lake in <paramref name="cache"/>), sharing snapshots through <paramref name="cache"/> (the process's by default).
    /// </summary>
    internal DeltaDestination(DeltaDestinationOptions options, ILakeStorage? storage, ILogger? logger, DeltaSnapshotCache? cache = null)
    {
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _storage = storage
            ?? (options.Container is { } container ? new BlobLakeStorage(container) : new FolderLakeStorage(Path.GetFullPath(options.Folder!)));
        _cache = cache ?? DeltaSnapshotCache.Shared;
        _lake = options.Container is { } lake ? lake.Uri.AbsoluteUri : Path.GetFullPath(options.Folder!);
        _scratch = Path.Combine(Path.GetTempPath(), "tributary-delta-" + Guid.NewGuid().ToString("N"));
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">A table's log or schema is damaged or not one this destination writes.</exception>
    public async Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // One level of the schema's folders, not its files: a folder without a log loads as no table.
            var names = new SortedSet<string>(StringComparer.Ordinal);
            await foreach (var name in _storage.ListFoldersAsync(schema, cancellationToken))
            {
                if (!name.StartsWith('_'))
                {
                    names.Add(name);
                }
            }

            var tables = new List<TableSchema>();
            foreach (var name in names)
            {
                var table = Table(schema, name);
                table.Snapshot = await table.Log.RefreshAsync(table.Snapshot, cancellationToken);
                Cache(table);
                if (table.Snapshot is { } snapshot)
                {
                    tables.Add(DeltaSchema.Read(name, snapshot.Metadata));
                }
            }

            return tables;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The engine refused the batch (the message names the table), or other writers kept taking the table's next version; nothing of it was committed.</exception>
    public async Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var engine = _engine ??= new WorkingTable(_options.Threads);
            Directory.CreateDirectory(_scratch);
            var table = Table(batch.Schema, batch.Table.Name);
            long applied;
            try
            {
                applied = await new BatchWriter(_storage, engine, new SchemaFence(_storage), _options, _scratch, _logger).WriteAsync(table, batch, cancellationToken);
            }
            catch (DuckDB.NET.Data.DuckDBException ex)
            {
                throw new InvalidOperationException(
                    $"The Delta destination could not apply the batch ({batch}) to table '{table.Path}'; nothing of it was committed: {ex.Message}", ex);
            }

            await new Compaction(_storage, engine, _options, _scratch, _logger).RunAsync(table, cancellationToken);
            if (table.Snapshot is { } snapshot)
            {
                table.Retain(snapshot);
                await VacuumAsync(table, snapshot, cancellationToken);
            }

            Cache(table);

            return applied;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task DropSchemaAsync(string schema, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(schema);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _storage.DeletePrefixAsync(schema, cancellationToken);
            _cache.RemoveSchema(_lake, schema);
            foreach (var key in _tables.Keys.Where(k => k.StartsWith(schema + "/", StringComparison.Ordinal)).ToList())
            {
                _tables.Remove(key);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the engine and removes its scratch files; the lake stays.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            _engine?.Dispose();
            _engine = null;
            (_storage as IDisposable)?.Dispose();
            if (Directory.Exists(_scratch))
            {
                Directory.Delete(_scratch, recursive: true);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Vacuums the table, then cleans its log up, on its first write in this process and once every
    /// <see cref="VacuumInterval"/> versions; a failure of either only postpones it.
    /// </summary>
    private async Task VacuumAsync(DeltaTable table, DeltaSnapshot snapshot, CancellationToken cancellationToken)
    {
        // A version below the last vacuum's is a table dropped and created again since: vacuumed as new.
        if (table.VacuumedAt is { } last && snapshot.Version >= last && snapshot.Version - last < VacuumInterval)
        {
            return;
        }

        table.VacuumedAt = snapshot.Version;
        try
        {
            await table.Log.VacuumAsync(snapshot, _options.VacuumRetention, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or global::Azure.RequestFailedException)
        {
            DestinationLog.VacuumFailed(_logger, table.Path, ex);
        }

        try
        {
            // A temp file in the log is abandoned once it is as old as an unreferenced data file vacuum deletes.
            await table.Log.CleanUpLogAsync(snapshot, _options.VacuumRetention, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or global::Azure.RequestFailedException)
        {
            DestinationLog.LogCleanupFailed(_logger, table.Path, ex);
        }
    }

    private static DeltaDestinationOptions Validated(DeltaDestinationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }

    private DeltaTable Table(string schema, string name)
    {
        var path = schema + "/" + name;
        if (!_tables.TryGetValue(path, out var table))
        {
            _tables[path] = table = new DeltaTable(schema, name, new DeltaTableLog(_storage, path, _options.TimeProvider, _logger));
            (table.Snapshot, table.VacuumedAt) = _cache.Get(_lake, path);
        }

        return table;
    }

    /// <summary>Shares the table's latest snapshot with the process's other destinations over this lake.</summary>
    private void Cache(DeltaTable table) => _cache.Set(_lake, table.Path, table.Snapshot, table.VacuumedAt);
}

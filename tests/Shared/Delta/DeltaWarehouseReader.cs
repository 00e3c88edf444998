using System.Text.Json;
using Azure.Storage.Blobs;

namespace Tributary.Testing;

/// <summary>
/// Reads a lake of Delta tables (<c>&lt;root&gt;/&lt;schema&gt;/&lt;table&gt;/_delta_log</c>) independently of the writer: each
/// table's log is replayed by <see cref="DeltaLogReader"/>, and queries run in a fresh in-memory DuckDB where every table is a
/// view over <c>read_parquet</c> of its active files. Over a blob container, the container is mirrored into a temporary folder
/// (what changed is downloaded) before each call; dispose the reader to delete that folder.
/// </summary>
public sealed class DeltaWarehouseReader : WarehouseReader, IDisposable
{
    /// <summary>The metaData configuration key of the table's primary key (a JSON array of column names).</summary>
    public const string PrimaryKeyProperty = "tributary.primaryKey";

    private readonly BlobLakeMirror? _mirror;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A reader over a lake in a local folder.</summary>
    public DeltaWarehouseReader(string lakeFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(lakeFolder);
        Root = Path.GetFullPath(lakeFolder);
    }

    /// <summary>A reader over a lake at the root of a blob container (Azurite or Azure).</summary>
    public DeltaWarehouseReader(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _mirror = new BlobLakeMirror(container);
        Root = _mirror.Folder;
    }

    /// <summary>The local folder read: the lake itself, or the container's mirror.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public override Task<IReadOnlyList<object?[]>> RowsAsync(string sql, CancellationToken cancellationToken) =>
        WithLakeAsync(async () =>
        {
            await using var connection = await DuckDbSql.OpenInMemoryAsync(cancellationToken);
            foreach (var schema in Tables().Select(t => t.Schema).Distinct(StringComparer.Ordinal))
            {
                await DuckDbSql.ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {Quote(schema)}", cancellationToken);
            }

            foreach (var (schema, table, folder) in Tables())
            {
                var snapshot = await DeltaLogReader.ReadAsync(folder, cancellationToken);
                var select = await DeltaTableView.SelectAsync(connection, snapshot, $"{schema}.{table}", cancellationToken);
                await DuckDbSql.ExecuteAsync(connection, $"CREATE VIEW {Table(schema, table)} AS {select}", cancellationToken);
            }

            return await ReadDuckDbRowsAsync(connection, sql, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The physical type is the Delta type string (<c>long</c>, <c>decimal(15,2)</c>, <c>timestamp_ntz</c>…); the comment is the field metadata <c>"comment"</c>.</remarks>
    public override Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(string schema, string table, CancellationToken cancellationToken) =>
        WithLakeAsync(async () => await SnapshotAsync(schema, table, cancellationToken) is { } snapshot
            ? (IReadOnlyList<ColumnInfo>)[.. snapshot.Metadata.Fields.Select(f => new ColumnInfo(f.Name, f.Type, f.Nullable, f.Comment))]
            : [], cancellationToken);

    /// <inheritdoc/>
    /// <remarks>From the metaData configuration <c>"tributary.primaryKey"</c>, a JSON array of column names.</remarks>
    public override Task<IReadOnlyList<string>> PrimaryKeyAsync(string schema, string table, CancellationToken cancellationToken) =>
        WithLakeAsync(async () =>
        {
            if (await SnapshotAsync(schema, table, cancellationToken) is not { } snapshot ||
                !snapshot.Metadata.Configuration.TryGetValue(PrimaryKeyProperty, out var key))
            {
                return (IReadOnlyList<string>)[];
            }

            try
            {
                return JsonSerializer.Deserialize<string[]>(key) ?? throw new JsonException("null");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Table {schema}.{table}: {PrimaryKeyProperty} is not a JSON array of column names: {key}", ex);
            }
        }, cancellationToken);

    /// <inheritdoc/>
    public override Task<IReadOnlyList<string>> TablesAsync(string schema, CancellationToken cancellationToken) =>
        WithLakeAsync(() => Task.FromResult<IReadOnlyList<string>>(
            [.. Tables().Where(t => t.Schema == schema).Select(t => t.Table).Order(StringComparer.Ordinal)]), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>A schema exists when its folder holds at least one Delta table.</remarks>
    public override Task<bool> SchemaExistsAsync(string schema, CancellationToken cancellationToken) =>
        WithLakeAsync(() => Task.FromResult(Tables().Any(t => t.Schema == schema)), cancellationToken);

    /// <summary>The latest snapshot of a table, or <see langword="null"/> when it does not exist.</summary>
    public Task<DeltaSnapshot?> ReadTableAsync(string schema, string table, CancellationToken cancellationToken) =>
        WithLakeAsync(() => SnapshotAsync(schema, table, cancellationToken), cancellationToken);

    /// <summary>The protocol violations of every table in the lake (see <see cref="DeltaProtocolValidator"/>), each prefixed by <c>schema/table: </c>.</summary>
    public Task<IReadOnlyList<string>> ValidateAsync(DeltaValidationOptions options, CancellationToken cancellationToken) =>
        WithLakeAsync(() => DeltaProtocolValidator.ValidateLakeAsync(Root, options, cancellationToken), cancellationToken);

    /// <summary>The folder of a table in <see cref="Root"/> (after the last call's mirroring, over a container).</summary>
    public string TableFolder(string schema, string table) => Path.Combine(Root, schema, table);

    /// <summary>Deletes the container's mirror, if any.</summary>
    public void Dispose()
    {
        _mirror?.Dispose();
        _gate.Dispose();
    }

    private async Task<DeltaSnapshot?> SnapshotAsync(string schema, string table, CancellationToken cancellationToken)
    {
        var folder = TableFolder(schema, table);
        return DeltaLogListing.IsTable(folder) ? await DeltaLogReader.ReadAsync(folder, cancellationToken) : null;
    }

    private IEnumerable<(string Schema, string Table, string Folder)> Tables() =>
        !Directory.Exists(Root) ? [] :
        from schemaFolder in Directory.EnumerateDirectories(Root)
        from tableFolder in Directory.EnumerateDirectories(schemaFolder)
        where DeltaLogListing.IsTable(tableFolder)
        orderby schemaFolder, tableFolder
        select (Path.GetFileName(schemaFolder), Path.GetFileName(tableFolder), tableFolder);

    private async Task<T> WithLakeAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_mirror is not null)
            {
                await _mirror.SyncAsync(cancellationToken);
            }

            return await read();
        }
        finally
        {
            _gate.Release();
        }
    }
}

using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using DeltaWarehouseReader = Tributary.Testing.DeltaWarehouseReader;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// A lake in a temporary folder for one test: batches of a small <c>items</c> table, its snapshot and its rows. Disposing it
/// checks every table's log against the protocol and Tributary's conventions.
/// </summary>
internal sealed class Lake : IAsyncDisposable
{
    public const string Schema = "conn";
    public static readonly SystemColumns Sys = SystemColumns.Tributary;
    public static readonly DateTimeOffset T1 = new(2024, 9, 24, 14, 30, 45, TimeSpan.Zero);

    public static readonly TableSchema Items = new(
        "items", [new ColumnSchema("id", ColumnType.Long), new ColumnSchema("name", ColumnType.String), .. Sys.Trailing()], ["id"]);

    private readonly List<IAsyncDisposable> _opened = [];
    private readonly DeltaWarehouseReader _reader;

    public Lake()
    {
        Folder = Directory.CreateTempSubdirectory("tributary-delta-").FullName;
        _reader = new DeltaWarehouseReader(Folder);
    }

    public string Folder { get; }

    public DeltaDestination Open(
        DeltaDestinationOptions? options = null, ILakeStorage? storage = null, Microsoft.Extensions.Logging.ILogger? logger = null, DeltaSnapshotCache? cache = null)
    {
        options ??= new DeltaDestinationOptions { Folder = Folder };
        var destination = new DeltaDestination(options, storage, logger, cache);
        _opened.Add(destination);
        return destination;
    }

    public DeltaDestinationOptions Options(int compactionThreshold = 32) => new() { Folder = Folder, CompactionThreshold = compactionThreshold };

    public FolderLakeStorage Storage() => new(Folder);

    public Task<DeltaSnapshot?> SnapshotAsync(string table = "items") => new DeltaTableLog(Storage(), Schema + "/" + table).LoadAsync(default);

    /// <summary>The table's rows as "id|name|deleted", by id.</summary>
    public async Task<IReadOnlyList<string>> RowsAsync(string table = "items") =>
        [.. (await _reader.RowsAsync($"SELECT id, name, _tributary_deleted FROM \"{Schema}\".\"{table}\" ORDER BY id", default))
            .Select(r => $"{r[0]}|{r[1]}|{r[2]}")];

    public static WriteBatch Create(params long[] ids) => Batch(OperationKind.Upsert, ids, [new SchemaChange(SchemaChangeKind.CreateTable, null)]);

    public static WriteBatch Upsert(params long[] ids) => Batch(OperationKind.Upsert, ids, []);

    public static WriteBatch Upsert(string name, params long[] ids) => Batch(OperationKind.Upsert, ids, [], name);

    public static WriteBatch Delete(params long[] ids) =>
        new(Schema, Items, Sys, OperationKind.Delete, ["id"], [.. ids.Select(id => new object?[] { id })], [], T1);

    public static WriteBatch Fenced(WriteBatch batch, long epoch)
    {
        batch.Fence = epoch;
        return batch;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var destination in _opened)
        {
            await destination.DisposeAsync();
        }

        _reader.Dispose();
        var violations = await Tributary.Testing.DeltaProtocolValidator.ValidateLakeAsync(Folder, Tributary.Testing.DeltaValidationOptions.Tributary, default);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        Assert.True(violations.Count == 0, "The lake breaks the protocol or Tributary's conventions:\n" + string.Join("\n", violations));
    }

    private static WriteBatch Batch(OperationKind kind, long[] ids, IReadOnlyList<SchemaChange> changes, string? name = null) =>
        new(Schema, Items, Sys, kind, ["id", "name"], [.. ids.Select(id => new object?[] { id, name ?? $"n{id}" })], changes, T1);
}

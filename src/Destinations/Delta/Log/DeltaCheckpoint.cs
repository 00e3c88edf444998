using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// Classic single-file (V1) checkpoints: <c>_delta_log/&lt;version&gt;.checkpoint.parquet</c>, one row per action with the
/// columns <c>txn</c>, <c>add</c>, <c>remove</c>, <c>metaData</c> and <c>protocol</c> as structs (the protocol's checkpoint
/// schema, for the fields the actions Tributary writes carry), written and read by an in-memory DuckDB; and
/// <c>_delta_log/_last_checkpoint</c>, <c>{"version":v,"size":n,…}</c>.
/// </summary>
internal static class DeltaCheckpoint
{
    private const string StringMap = "MAP(VARCHAR, VARCHAR)";
    private const string TxnType = "STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)";
    private const string AddType =
        $"STRUCT(path VARCHAR, partitionValues {StringMap}, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags {StringMap})";
    private const string RemoveType =
        $"STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues {StringMap}, size BIGINT)";
    private const string MetadataType =
        $"STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options {StringMap}), schemaString VARCHAR, partitionColumns VARCHAR[], configuration {StringMap}, createdTime BIGINT)";
    private const string ProtocolType = "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])";
    private const string EmptyMap = $"CAST(MAP([]::VARCHAR[], []::VARCHAR[]) AS {StringMap})";

    /// <summary>
    /// Writes the checkpoint of <paramref name="snapshot"/> with its tombstones removed at or after
    /// <paramref name="tombstoneCutoff"/> (milliseconds since the epoch), then points <c>_last_checkpoint</c> at it.
    /// </summary>
    /// <returns>The number of actions (rows) the checkpoint holds.</returns>
    public static async Task<long> WriteAsync(
        ILakeStorage storage, DeltaLogPaths paths, DeltaSnapshot snapshot, long tombstoneCutoff, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("tributary-checkpoint-");
        try
        {
            var file = Path.Combine(folder.FullName, "checkpoint.parquet");
            var tombstones = snapshot.Tombstones.Values.Where(tombstone => tombstone.DeletionTimestamp >= tombstoneCutoff).ToList();
            using (var connection = new DuckDBConnection("DataSource=:memory:"))
            {
                connection.Open();
                Execute(connection,
                    "CREATE TABLE adds(path VARCHAR, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR);" +
                    "CREATE TABLE removes(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, size BIGINT);");
                using (var appender = connection.CreateAppender("adds"))
                {
                    foreach (var add in snapshot.Files.Values)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        appender.CreateRow().AppendValue(add.Path).AppendValue(add.Size).AppendValue(add.ModificationTime)
                            .AppendValue(add.DataChange).AppendValue(add.Stats).EndRow();
                    }
                }

                using (var appender = connection.CreateAppender("removes"))
                {
                    foreach (var remove in tombstones)
                    {
                        appender.CreateRow().AppendValue(remove.Path).AppendValue(remove.DeletionTimestamp).AppendValue(remove.DataChange)
                            .AppendValue(remove.Size).EndRow();
                    }
                }

                Execute(connection, $"COPY ({Rows(snapshot)}) TO {Literal(file)} (FORMAT parquet)");
            }

            var actions = 2L + snapshot.Files.Count + tombstones.Count;
            await storage.UploadFileAsync(paths.Checkpoint(snapshot.Version), file, cancellationToken);
            var pointer = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, long>
            {
                ["version"] = snapshot.Version,
                ["size"] = actions,
                ["sizeInBytes"] = new FileInfo(file).Length,
                ["numOfAddFiles"] = snapshot.Files.Count,
            });
            await storage.WriteAsync(paths.LastCheckpoint, pointer, cancellationToken);
            return actions;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The version <c>_last_checkpoint</c> names, or null when it is absent or unreadable.</summary>
    public static async Task<long?> ReadPointerAsync(ILakeStorage storage, DeltaLogPaths paths, CancellationToken cancellationToken)
    {
        if (await storage.ReadAsync(paths.LastCheckpoint, cancellationToken) is not { } content)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.TryGetProperty("version", out var version) && version.TryGetInt64(out var value) && value >= 0 ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The state a checkpoint holds, or null when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is not a readable Delta checkpoint.</exception>
    public static async Task<DeltaStateBuilder?> ReadAsync(ILakeStorage storage, DeltaLogPaths paths, long version, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("tributary-checkpoint-");
        try
        {
            var file = Path.Combine(folder.FullName, "checkpoint.parquet");
            try
            {
                await storage.DownloadFileAsync(paths.Checkpoint(version), file, cancellationToken);
            }
            catch (FileNotFoundException)
            {
                return null;
            }

            var state = new DeltaStateBuilder();
            var source = paths.Checkpoint(version);
            try
            {
                using var connection = new DuckDBConnection("DataSource=:memory:");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT to_json(checkpoint) FROM read_parquet({Literal(file)}) AS checkpoint";
                using var reader = command.ExecuteReader();
                var row = 0;
                while (reader.Read())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    row++;
                    DeltaLogJson.ApplyLine(Encoding.UTF8.GetBytes(reader.GetString(0)), state, $"{source} row {row}");
                }
            }
            catch (DuckDBException ex)
            {
                throw new InvalidDataException($"{source} is not a readable Parquet checkpoint: {ex.Message}", ex);
            }

            return state;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Rows(DeltaSnapshot snapshot)
    {
        var protocol = snapshot.Protocol;
        var metadata = snapshot.Metadata;
        var protocolValue =
            $"struct_pack(minReaderVersion := {protocol.MinReaderVersion}, minWriterVersion := {protocol.MinWriterVersion}, " +
            $"readerFeatures := {Strings(protocol.ReaderFeatures)}, writerFeatures := {Strings(protocol.WriterFeatures)})";
        var configuration = metadata.Configuration.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        var metadataValue =
            $"struct_pack(id := {Literal(metadata.Id)}, name := NULL, description := NULL, " +
            $"format := struct_pack(provider := 'parquet', options := {EmptyMap}), schemaString := {Literal(metadata.SchemaString)}, " +
            $"partitionColumns := {Strings(metadata.PartitionColumns)}, " +
            $"configuration := CAST(MAP({Strings(configuration.Select(pair => pair.Key).ToList())}, {Strings(configuration.Select(pair => pair.Value).ToList())}) AS {StringMap}), " +
            $"createdTime := {(metadata.CreatedTime is { } created ? created.ToString(CultureInfo.InvariantCulture) : "NULL")})";
        const string addValue =
            $"struct_pack(path := path, partitionValues := {EmptyMap}, size := size, modificationTime := modificationTime, dataChange := dataChange, stats := stats, tags := NULL)";
        const string removeValue =
            $"struct_pack(path := path, deletionTimestamp := deletionTimestamp, dataChange := dataChange, extendedFileMetadata := size IS NOT NULL, " +
            $"partitionValues := CASE WHEN size IS NULL THEN NULL ELSE {EmptyMap} END, size := size)";
        return
            Row(protocol: protocolValue) + " UNION ALL " +
            Row(metadata: metadataValue) + " UNION ALL " +
            Row(remove: removeValue) + " FROM removes UNION ALL " +
            Row(add: addValue) + " FROM adds";
    }

    private static string Row(string? add = null, string? remove = null, string? metadata = null, string? protocol = null) =>
        $"SELECT CAST(NULL AS {TxnType}) AS txn, CAST({add ?? "NULL"} AS {AddType}) AS \"add\", CAST({remove ?? "NULL"} AS {RemoveType}) AS remove, " +
        $"CAST({metadata ?? "NULL"} AS {MetadataType}) AS metaData, CAST({protocol ?? "NULL"} AS {ProtocolType}) AS protocol";

    private static string Strings(IReadOnlyList<string>? values) =>
        values is null ? "NULL::VARCHAR[]" : $"[{string.Join(", ", values.Select(Literal))}]::VARCHAR[]";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

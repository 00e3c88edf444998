using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace Tributary.Destinations.Delta.Tests.Reading;

/// <summary>A column of a hand-made Delta table.</summary>
internal sealed record HandColumn(string Name, string Type, bool Nullable = true, string? Comment = null);

/// <summary>
/// Builds a small Delta table by hand, without the writer: JSON commit lines written as text, Parquet data files written by
/// DuckDB's <c>COPY … (FORMAT parquet)</c>, and a classic checkpoint written by DuckDB from action lines as struct columns.
/// </summary>
internal sealed class HandMadeTable
{
    private const string CheckpointColumns =
        "{protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])', " +
        "metaData: 'STRUCT(id VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)', " +
        "add: 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR)', " +
        "remove: 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN)'}";

    public HandMadeTable(string lake, string schema = "s", string table = "t")
    {
        Folder = Path.Combine(lake, schema, table);
        Directory.CreateDirectory(LogFolder);
    }

    public string Folder { get; }

    public string LogFolder => Path.Combine(Folder, "_delta_log");

    public static string Log(long version) => version.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>Writes version <paramref name="version"/>'s commit: one action a line.</summary>
    public void Commit(long version, params string[] actions) =>
        File.WriteAllText(Path.Combine(LogFolder, Log(version) + ".json"), string.Join("\n", actions) + "\n");

    /// <summary>Writes a Parquet file of <paramref name="select"/>'s rows under <paramref name="name"/>; returns its add action.</summary>
    public async Task<string> AddFileAsync(string select, string name, string? stats = null)
    {
        var path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await ExecuteAsync($"COPY ({select}) TO '{path.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet)");
        return Add(Uri.EscapeDataString(name), new FileInfo(path).Length, stats);
    }

    /// <summary>Writes version <paramref name="version"/>'s classic checkpoint holding <paramref name="actions"/>, and <c>_last_checkpoint</c>.</summary>
    public async Task CheckpointAsync(long version, params string[] actions)
    {
        var lines = Path.Combine(Path.GetTempPath(), $"checkpoint-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllLinesAsync(lines, actions);
            var target = Path.Combine(LogFolder, Log(version) + ".checkpoint.parquet");
            await ExecuteAsync($"COPY (SELECT * FROM read_json('{lines}', format = 'newline_delimited', columns = {CheckpointColumns})) TO '{target}' (FORMAT parquet)");
        }
        finally
        {
            File.Delete(lines);
        }

        await File.WriteAllTextAsync(Path.Combine(LogFolder, "_last_checkpoint"), $"{{\"version\":{version},\"size\":{actions.Length}}}");
    }

    public static string Protocol(int reader = 1, int writer = 2, string[]? readerFeatures = null, string[]? writerFeatures = null)
    {
        var protocol = new JsonObject { ["minReaderVersion"] = reader, ["minWriterVersion"] = writer };
        if (readerFeatures is not null)
        {
            protocol["readerFeatures"] = new JsonArray([.. readerFeatures.Select(f => (JsonNode)f)]);
        }

        if (writerFeatures is not null)
        {
            protocol["writerFeatures"] = new JsonArray([.. writerFeatures.Select(f => (JsonNode)f)]);
        }

        return new JsonObject { ["protocol"] = protocol }.ToJsonString();
    }

    public static string SchemaString(params HandColumn[] columns) => new JsonObject
    {
        ["type"] = "struct",
        ["fields"] = new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["type"] = c.Type,
            ["nullable"] = c.Nullable,
            ["metadata"] = c.Comment is null ? new JsonObject() : new JsonObject { ["comment"] = c.Comment },
        })]),
    }.ToJsonString();

    public static string Metadata(string[]? primaryKey, params HandColumn[] columns) => MetadataWithSchema(SchemaString(columns), primaryKey);

    public static string MetadataWithSchema(string schemaString, string[]? primaryKey = null, string[]? partitionColumns = null)
    {
        var configuration = new JsonObject();
        if (primaryKey is not null)
        {
            configuration["tributary.primaryKey"] = JsonSerializer.Serialize(primaryKey);
        }

        return new JsonObject
        {
            ["metaData"] = new JsonObject
            {
                ["id"] = "6c3b3bd4-7b7e-4e0c-9d0c-4a3e5f1c2b10",
                ["format"] = new JsonObject { ["provider"] = "parquet", ["options"] = new JsonObject() },
                ["schemaString"] = schemaString,
                ["partitionColumns"] = new JsonArray([.. (partitionColumns ?? []).Select(p => (JsonNode)p)]),
                ["configuration"] = configuration,
                ["createdTime"] = 1_700_000_000_000,
            },
        }.ToJsonString();
    }

    public static string Add(string path, long size, string? stats = null, long modificationTime = 1_700_000_000_000)
    {
        var add = new JsonObject
        {
            ["path"] = path,
            ["partitionValues"] = new JsonObject(),
            ["size"] = size,
            ["modificationTime"] = modificationTime,
            ["dataChange"] = true,
        };
        if (stats is not null)
        {
            add["stats"] = stats;
        }

        return new JsonObject { ["add"] = add }.ToJsonString();
    }

    public static string Remove(string path) =>
        new JsonObject { ["remove"] = new JsonObject { ["path"] = path, ["deletionTimestamp"] = 1_700_000_000_000, ["dataChange"] = true } }.ToJsonString();

    public static string CommitInfo(string operation = "WRITE") =>
        new JsonObject { ["commitInfo"] = new JsonObject { ["timestamp"] = 1_700_000_000_000, ["operation"] = operation } }.ToJsonString();

    /// <summary>The path an add action names (its "path").</summary>
    public static string PathOf(string action) => JsonNode.Parse(action)!.AsObject().First().Value!["path"]!.GetValue<string>();

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SET TimeZone = 'UTC'; " + sql;
        await command.ExecuteNonQueryAsync();
    }
}

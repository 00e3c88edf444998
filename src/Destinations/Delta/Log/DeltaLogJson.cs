using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// Writes a commit as newline-delimited JSON actions, and reads action lines (a commit's, or a checkpoint row turned into
/// JSON) into a <see cref="DeltaStateBuilder"/>. Property names are spelt as PROTOCOL.md spells them.
/// </summary>
internal static class DeltaLogJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>The bytes of a commit file: <c>commitInfo</c>, then <c>protocol</c>, <c>metaData</c>, removes, adds.</summary>
    public static byte[] WriteCommit(DeltaCommit commit, long timestamp, string engineInfo)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        WriteLine(buffer, writer =>
        {
            writer.WriteStartObject("commitInfo");
            writer.WriteNumber("timestamp", timestamp);
            writer.WriteString("operation", commit.Operation);
            writer.WriteStartObject("operationParameters");
            writer.WriteEndObject();
            writer.WriteBoolean("isBlindAppend", commit.Removes.Count == 0);
            writer.WriteString("engineInfo", engineInfo);
            writer.WriteEndObject();
        });
        if (commit.Protocol is { } protocol)
        {
            WriteLine(buffer, writer => WriteProtocol(writer, protocol));
        }

        if (commit.Metadata is { } metadata)
        {
            WriteLine(buffer, writer => WriteMetadata(writer, metadata));
        }

        foreach (var remove in commit.Removes)
        {
            WriteLine(buffer, writer => WriteRemove(writer, remove));
        }

        foreach (var add in commit.Adds)
        {
            WriteLine(buffer, writer => WriteAdd(writer, add));
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Applies every action line of <paramref name="content"/> (newline-delimited JSON) to <paramref name="state"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON object or an action misses a required field.</exception>
    public static void ApplyLines(ReadOnlySpan<byte> content, DeltaStateBuilder state, string source)
    {
        var line = 0;
        while (!content.IsEmpty)
        {
            line++;
            var end = content.IndexOf((byte)'\n');
            var text = end < 0 ? content : content[..end];
            content = end < 0 ? [] : content[(end + 1)..];
            if (text.Trim((byte)'\r').Trim((byte)' ').IsEmpty)
            {
                continue;
            }

            ApplyLine(text, state, $"{source} line {line}");
        }
    }

    /// <summary>Applies the actions of one JSON object; null members (a checkpoint row's other columns) are skipped.</summary>
    public static void ApplyLine(ReadOnlySpan<byte> json, DeltaStateBuilder state, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source} is not a JSON object.");
            }

            foreach (var action in document.RootElement.EnumerateObject())
            {
                if (action.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                switch (action.Name)
                {
                    case "protocol":
                        state.Apply(ReadProtocol(action.Value));
                        break;
                    case "metaData":
                        state.Apply(ReadMetadata(action.Value));
                        break;
                    case "add":
                        state.Apply(ReadAdd(action.Value, source));
                        break;
                    case "remove":
                        state.Apply(ReadRemove(action.Value));
                        break;
                    default:
                        // commitInfo, txn, cdc, domainMetadata: nothing a Tributary snapshot keeps.
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source} is not a valid Delta action: {ex.Message}", ex);
        }
    }

    private static void WriteLine(ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
    }

    private static void WriteProtocol(Utf8JsonWriter writer, DeltaProtocol protocol)
    {
        writer.WriteStartObject("protocol");
        writer.WriteNumber("minReaderVersion", protocol.MinReaderVersion);
        writer.WriteNumber("minWriterVersion", protocol.MinWriterVersion);
        if (protocol.ReaderFeatures is { } readerFeatures)
        {
            WriteStrings(writer, "readerFeatures", readerFeatures);
        }

        if (protocol.WriterFeatures is { } writerFeatures)
        {
            WriteStrings(writer, "writerFeatures", writerFeatures);
        }

        writer.WriteEndObject();
    }

    private static void WriteMetadata(Utf8JsonWriter writer, DeltaMetadata metadata)
    {
        writer.WriteStartObject("metaData");
        writer.WriteString("id", metadata.Id);
        writer.WriteStartObject("format");
        writer.WriteString("provider", "parquet");
        writer.WriteStartObject("options");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteString("schemaString", metadata.SchemaString);
        WriteStrings(writer, "partitionColumns", metadata.PartitionColumns);
        writer.WriteStartObject("configuration");
        foreach (var (key, value) in metadata.Configuration.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        if (metadata.CreatedTime is { } createdTime)
        {
            writer.WriteNumber("createdTime", createdTime);
        }

        writer.WriteEndObject();
    }

    private static void WriteAdd(Utf8JsonWriter writer, AddFile add)
    {
        writer.WriteStartObject("add");
        writer.WriteString("path", add.Path);
        writer.WriteStartObject("partitionValues");
        writer.WriteEndObject();
        writer.WriteNumber("size", add.Size);
        writer.WriteNumber("modificationTime", add.ModificationTime);
        writer.WriteBoolean("dataChange", add.DataChange);
        if (add.Stats is { } stats)
        {
            writer.WriteString("stats", stats);
        }

        writer.WriteEndObject();
    }

    private static void WriteRemove(Utf8JsonWriter writer, RemoveFile remove)
    {
        writer.WriteStartObject("remove");
        writer.WriteString("path", remove.Path);
        writer.WriteNumber("deletionTimestamp", remove.DeletionTimestamp);
        writer.WriteBoolean("dataChange", remove.DataChange);
        if (remove.Size is { } size)
        {
            writer.WriteBoolean("extendedFileMetadata", true);
            writer.WriteStartObject("partitionValues");
            writer.WriteEndObject();
            writer.WriteNumber("size", size);
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static DeltaProtocol ReadProtocol(JsonElement element) => new(
        element.GetProperty("minReaderVersion").GetInt32(),
        element.GetProperty("minWriterVersion").GetInt32(),
        OptionalStrings(element, "readerFeatures"),
        OptionalStrings(element, "writerFeatures"));

    private static DeltaMetadata ReadMetadata(JsonElement element)
    {
        var configuration = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Optional(element, "configuration") is { } map)
        {
            foreach (var pair in map.EnumerateObject())
            {
                configuration[pair.Name] = pair.Value.GetString() ?? "";
            }
        }

        return new DeltaMetadata(
            element.GetProperty("id").GetString() ?? throw new InvalidDataException("metaData.id is null."),
            element.GetProperty("schemaString").GetString() ?? throw new InvalidDataException("metaData.schemaString is null."),
            OptionalStrings(element, "partitionColumns") ?? [],
            configuration,
            Optional(element, "createdTime")?.GetInt64());
    }

    private static AddFile ReadAdd(JsonElement element, string source)
    {
        var path = element.GetProperty("path").GetString() ?? throw new InvalidDataException("add.path is null.");
        if (Optional(element, "deletionVector") is not null)
        {
            throw new NotSupportedException(
                $"{source}: the file '{path}' has a deletion vector; Tributary reads only tables without deletion vectors.");
        }

        return new AddFile(
            path,
            element.GetProperty("size").GetInt64(),
            element.GetProperty("modificationTime").GetInt64(),
            element.GetProperty("dataChange").GetBoolean(),
            Optional(element, "stats")?.GetString());
    }

    private static RemoveFile ReadRemove(JsonElement element) => new(
        element.GetProperty("path").GetString() ?? throw new InvalidDataException("remove.path is null."),
        Optional(element, "deletionTimestamp")?.GetInt64() ?? 0,
        Optional(element, "dataChange")?.GetBoolean() ?? true,
        Optional(element, "size")?.GetInt64());

    private static JsonElement? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static IReadOnlyList<string>? OptionalStrings(JsonElement element, string name) =>
        Optional(element, name) is { } array ? [.. array.EnumerateArray().Select(item => item.GetString() ?? "")] : null;
}

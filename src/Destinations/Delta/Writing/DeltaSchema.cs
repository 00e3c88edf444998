using System.Globalization;
using System.Text.Json;
using Tributary.Destinations.Delta.Log;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// A table's shape in the Delta log: the <c>schemaString</c> (Spark's JSON struct type), the primary key in the
/// <c>configuration</c> as <c>tributary.primaryKey</c>, each column's Tributary type as its comment (the field metadata
/// <c>comment</c>, as the DuckDB destination keeps it in the column's comment, so JSON, XML and STRING, all Delta
/// <c>string</c>, read back apart), key columns not nullable, and the protocol the types need.
/// </summary>
internal static class DeltaSchema
{
    /// <summary>The configuration key that holds the primary key, a JSON array of column names.</summary>
    public const string PrimaryKeyKey = "tributary.primaryKey";

    /// <summary>The configuration key that holds the largest fence (lease epoch) that has written to the table.</summary>
    public const string FenceKey = "tributary.fence";

    /// <summary>The field metadata key that holds a column's comment: its Tributary type.</summary>
    public const string TypeKey = "comment";

    /// <summary>The reader feature and writer feature a <c>timestamp_ntz</c> column needs.</summary>
    public const string TimestampNtz = "timestampNtz";

    /// <summary>The Delta type name of a column of <paramref name="type"/>.</summary>
    public static string DeltaType(ColumnType type) => type.Type switch
    {
        DataType.Boolean => "boolean",
        DataType.Short => "short",
        DataType.Int => "integer",
        DataType.Long => "long",
        DataType.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({type.Precision},{type.Scale})"),
        DataType.Float => "float",
        DataType.Double => "double",
        DataType.NaiveDate => "date",
        DataType.NaiveDateTime => "timestamp_ntz",
        DataType.UtcDateTime => "timestamp",
        DataType.Binary => "binary",
        DataType.Xml or DataType.String or DataType.Json => "string",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };

    /// <summary>The schema string of <paramref name="table"/>: every column nullable but the key's.</summary>
    public static string SchemaString(TableSchema table)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "struct");
            json.WriteStartArray("fields");
            foreach (var column in table.Columns)
            {
                var key = table.PrimaryKey.Contains(column.Name, StringComparer.Ordinal);
                json.WriteStartObject();
                json.WriteString("name", column.Name);
                json.WriteString("type", DeltaType(column.Type));
                json.WriteBoolean("nullable", !key);
                json.WriteStartObject("metadata");
                json.WriteString(TypeKey, column.Type.ToString());
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The protocol a table of <paramref name="table"/>'s types needs: (1, 2), or (3, 7) with <c>timestampNtz</c>.</summary>
    public static DeltaProtocol ProtocolFor(TableSchema table) =>
        table.Columns.Any(c => c.Type.Type == DataType.NaiveDateTime)
            ? new DeltaProtocol(3, 7, [TimestampNtz], [TimestampNtz])
            : new DeltaProtocol(1, 2);

    /// <summary>Whether <paramref name="current"/> already allows everything <paramref name="needed"/> does.</summary>
    public static bool Covers(DeltaProtocol current, DeltaProtocol needed) =>
        current.MinReaderVersion >= needed.MinReaderVersion && current.MinWriterVersion >= needed.MinWriterVersion
        && (needed.ReaderFeatures ?? []).All(f => (current.ReaderFeatures ?? []).Contains(f, StringComparer.Ordinal) || current.MinReaderVersion < 3)
        && (needed.WriterFeatures ?? []).All(f => (current.WriterFeatures ?? []).Contains(f, StringComparer.Ordinal));

    /// <summary>The metadata of <paramref name="table"/>, keeping the id, creation time and other configuration of <paramref name="previous"/>.</summary>
    public static DeltaMetadata Metadata(TableSchema table, DeltaMetadata? previous, long? fence, TimeProvider time)
    {
        var configuration = new Dictionary<string, string>(previous?.Configuration ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [PrimaryKeyKey] = JsonSerializer.Serialize(table.PrimaryKey),
        };
        if (fence is { } epoch && epoch > (FenceOf(previous) ?? long.MinValue))
        {
            configuration[FenceKey] = epoch.ToString(CultureInfo.InvariantCulture);
        }

        return new DeltaMetadata(
            previous?.Id ?? Guid.NewGuid().ToString(),
            SchemaString(table),
            [],
            configuration,
            previous?.CreatedTime ?? time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>The largest fence recorded in the table's metadata, if any.</summary>
    public static long? FenceOf(DeltaMetadata? metadata) =>
        metadata?.Configuration.TryGetValue(FenceKey, out var text) == true
        && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fence) ? fence : null;

    /// <summary>The table <paramref name="name"/> as its metadata describes it.</summary>
    /// <exception cref="InvalidDataException">The schema string or the key is not what this destination writes.</exception>
    public static TableSchema Read(string name, DeltaMetadata metadata)
    {
        var columns = new List<ColumnSchema>();
        try
        {
            using var schema = JsonDocument.Parse(metadata.SchemaString);
            foreach (var field in schema.RootElement.GetProperty("fields").EnumerateArray())
            {
                var column = field.GetProperty("name").GetString()!;
                var deltaType = field.GetProperty("type").GetString()
                    ?? throw new InvalidDataException($"Column '{column}' of Delta table '{name}' has a nested type, which Tributary does not write.");
                columns.Add(new ColumnSchema(column, TypeOf(field, deltaType)));
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"The schema string of Delta table '{name}' is not a struct of primitive fields: {ex.Message}", ex);
        }

        var key = metadata.Configuration.TryGetValue(PrimaryKeyKey, out var keyText)
            ? JsonSerializer.Deserialize<string[]>(keyText) ?? []
            : [];
        return new TableSchema(name, columns, key);
    }

    private static ColumnType TypeOf(JsonElement field, string deltaType)
    {
        if (field.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty(TypeKey, out var declared) && ColumnType.TryParse(declared.GetString(), out var type)
            && DeltaType(type) == deltaType)
        {
            return type;
        }

        return deltaType switch
        {
            "boolean" => ColumnType.Boolean,
            "byte" or "short" => ColumnType.Short,
            "integer" => ColumnType.Int,
            "long" => ColumnType.Long,
            "float" => ColumnType.Float,
            "double" => ColumnType.Double,
            "date" => ColumnType.NaiveDate,
            "timestamp_ntz" => ColumnType.NaiveDateTime,
            "timestamp" => ColumnType.UtcDateTime,
            "binary" => ColumnType.Binary,
            _ when deltaType.StartsWith("decimal(", StringComparison.Ordinal) && ColumnType.TryParse(deltaType.ToUpperInvariant(), out var d) => d,
            _ => ColumnType.String,
        };
    }
}

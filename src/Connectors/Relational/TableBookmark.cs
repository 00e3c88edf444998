using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tributary.Connectors.Relational;

/// <summary>
/// One table's entry in the state: its replication key, and the replication-key and primary-key values of the last row
/// read (null before the first). The next read starts after that row in (replication key, primary key) order.
/// </summary>
internal sealed class TableBookmark
{
    /// <summary>The replication-key columns the bookmark was taken on; a bookmark on other columns is not reused.</summary>
    [JsonPropertyName("replication_key")]
    public IReadOnlyList<string> ReplicationKey { get; init; } = [];

    /// <summary>Column name → value of the last row read, for every column of <see cref="SourceTable.OrderColumns"/>.</summary>
    [JsonPropertyName("bookmark")]
    public JsonObject? Bookmark { get; init; }
}

/// <summary>Bookmark values to and from JSON: timestamps as ISO-8601 text that keeps their kind, numbers as numbers.</summary>
internal static class BookmarkValues
{
    public static JsonNode ToJson(object value) => value switch
    {
        // "o" keeps the kind: 'Z' for a UTC value (timestamptz), nothing for a naive one (timestamp, datetime2).
        DateTime dt => JsonValue.Create(dt.ToString("o", CultureInfo.InvariantCulture)),
        DateTimeOffset dto => JsonValue.Create(dto.ToString("o", CultureInfo.InvariantCulture)),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
        Guid g => JsonValue.Create(g.ToString()),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        byte or sbyte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        decimal m => JsonValue.Create(m),
        float or double => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        _ => throw new NotSupportedException($"A replication or primary key of type {value.GetType().Name} cannot be kept in the state."),
    };

    /// <summary>The value the source's column of CLR type <paramref name="type"/> compares with, as a query parameter.</summary>
    public static object FromJson(JsonNode node, Type type)
    {
        var value = node.AsValue();
        return Type.GetTypeCode(type) switch
        {
            TypeCode.DateTime => DateTime.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            TypeCode.String => value.GetValue<string>(),
            TypeCode.Boolean => value.GetValue<bool>(),
            TypeCode.Byte => value.GetValue<byte>(),
            TypeCode.SByte => value.GetValue<sbyte>(),
            TypeCode.Int16 => value.GetValue<short>(),
            TypeCode.UInt16 => value.GetValue<ushort>(),
            TypeCode.Int32 => value.GetValue<int>(),
            TypeCode.UInt32 => value.GetValue<uint>(),
            TypeCode.Int64 => value.GetValue<long>(),
            TypeCode.UInt64 => value.GetValue<ulong>(),
            TypeCode.Decimal => value.GetValue<decimal>(),
            TypeCode.Single => value.GetValue<float>(),
            TypeCode.Double => value.GetValue<double>(),
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            _ when type == typeof(DateOnly) => DateOnly.ParseExact(value.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ when type == typeof(TimeSpan) => TimeSpan.ParseExact(value.GetValue<string>(), "c", CultureInfo.InvariantCulture),
            _ when type == typeof(Guid) => Guid.Parse(value.GetValue<string>()),
            _ => throw new NotSupportedException($"A replication or primary key of type {type.Name} cannot be read back from the state."),
        };
    }
}

using System.Text.Json.Nodes;
using System.Xml.Linq;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Schema;

public sealed class TypeSystemCoerceTests
{
    private static readonly ColumnType Money = ColumnType.Decimal(15, 2);

    public static TheoryData<object, ColumnType, object> Conversions => new()
    {
        // BOOLEAN
        { true, ColumnType.Boolean, true },
        { "true", ColumnType.Boolean, true },
        { " False ", ColumnType.Boolean, false },
        { "1", ColumnType.Boolean, true },
        { 0, ColumnType.Boolean, false },
        { 1L, ColumnType.Boolean, true },
        // SHORT
        { 15, ColumnType.Short, (short)15 },
        { "15", ColumnType.Short, (short)15 },
        { 15.0, ColumnType.Short, (short)15 },
        // INT
        { "42", ColumnType.Int, 42 },
        { 42L, ColumnType.Int, 42 },
        { (byte)7, ColumnType.Int, 7 },
        // LONG
        { "132353453453635", ColumnType.Long, 132353453453635L },
        { 42, ColumnType.Long, 42L },
        { 42.0m, ColumnType.Long, 42L },
        // DECIMAL
        { "105.34", Money, 105.34m },
        { " 105.345 ", Money, 105.35m },
        { 10, Money, 10m },
        { 105.34m, Money, 105.34m },
        { "1e2", Money, 100m },
        // FLOAT
        { "10.4", ColumnType.Float, 10.4f },
        { 10.4, ColumnType.Float, 10.4f },
        { 3, ColumnType.Float, 3f },
        // DOUBLE
        { "0.0001", ColumnType.Double, 0.0001 },
        { 3, ColumnType.Double, 3.0 },
        { 1.5f, ColumnType.Double, 1.5 },
        { 2.5m, ColumnType.Double, 2.5 },
        // NAIVE_DATE
        { "2007-12-03", ColumnType.NaiveDate, new DateOnly(2007, 12, 3) },
        { "2007-12-03T10:15:30Z", ColumnType.NaiveDate, new DateOnly(2007, 12, 3) },
        { new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Unspecified), ColumnType.NaiveDate, new DateOnly(2007, 12, 3) },
        // NAIVE_DATETIME
        { "2007-12-03T10:15:30", ColumnType.NaiveDateTime, new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Unspecified) },
        { "2007-12-03T12:15:30+02:00", ColumnType.NaiveDateTime, new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Unspecified) },
        { new DateOnly(2007, 12, 3), ColumnType.NaiveDateTime, new DateTime(2007, 12, 3, 0, 0, 0, DateTimeKind.Unspecified) },
        // UTC_DATETIME
        { "2007-12-03T10:15:30.123Z", ColumnType.UtcDateTime, new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero) },
        { "2007-12-03T10:15:30", ColumnType.UtcDateTime, new DateTimeOffset(2007, 12, 3, 10, 15, 30, TimeSpan.Zero) },
        { "2007-12-03T12:15:30+02:00", ColumnType.UtcDateTime, new DateTimeOffset(2007, 12, 3, 10, 15, 30, TimeSpan.Zero) },
        { new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Utc), ColumnType.UtcDateTime, new DateTimeOffset(2007, 12, 3, 10, 15, 30, TimeSpan.Zero) },
        // XML
        { "<tag>This is XML</tag>", ColumnType.Xml, "<tag>This is XML</tag>" },
        { new XElement("tag", "This is XML"), ColumnType.Xml, "<tag>This is XML</tag>" },
        // STRING
        { "This is a string", ColumnType.String, "This is a string" },
        { 42, ColumnType.String, "42" },
        { 10.5, ColumnType.String, "10.5" },
        { true, ColumnType.String, "true" },
        { new DateOnly(2007, 12, 3), ColumnType.String, "2007-12-03" },
        { new DateTimeOffset(2007, 12, 3, 12, 15, 30, TimeSpan.FromHours(2)), ColumnType.String, "2007-12-03T10:15:30Z" },
        // JSON
        { new JsonObject { ["a"] = 10 }, ColumnType.Json, "{\"a\":10}" },
        { new Dictionary<string, object> { ["a"] = 10 }, ColumnType.Json, "{\"a\":10}" },
        { new List<int> { 1, 2 }, ColumnType.Json, "[1,2]" },
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Coerce_ConvertibleValue_GivesColumnsClrValue(object value, ColumnType type, object expected)
    {
        var coerced = TypeSystem.Coerce(value, type);

        Assert.Equal(expected, coerced);
        Assert.Equal(expected.GetType(), coerced!.GetType());
    }

    [Fact]
    public void Coerce_UtcDateTime_HasZeroOffset()
    {
        var coerced = Assert.IsType<DateTimeOffset>(TypeSystem.Coerce("2007-12-03T12:15:30+02:00", ColumnType.UtcDateTime));

        Assert.Equal(TimeSpan.Zero, coerced.Offset);
    }

    [Fact]
    public void Coerce_NaiveDateTime_HasUnspecifiedKind()
    {
        var coerced = Assert.IsType<DateTime>(TypeSystem.Coerce(new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Utc), ColumnType.NaiveDateTime));

        Assert.Equal(DateTimeKind.Unspecified, coerced.Kind);
    }

    [Fact]
    public void Coerce_Base64Text_GivesBytes()
    {
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, TypeSystem.Coerce("AAECAw==", ColumnType.Binary));
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, TypeSystem.Coerce(new ReadOnlyMemory<byte>([0, 1, 2, 3]), ColumnType.Binary));
    }

    [Fact]
    public void Coerce_PreEncodedJsonString_IsNotEncodedTwice()
    {
        var coerced = Assert.IsType<string>(TypeSystem.Coerce("{\"a\": 10}", ColumnType.Json));

        Assert.DoesNotContain("\\", coerced, StringComparison.Ordinal);
        Assert.Equal(10, JsonNode.Parse(coerced)!["a"]!.GetValue<int>());
    }

    [Fact]
    public void Coerce_PreEncodedJsonInsideJsonValue_IsNotEncodedTwice()
    {
        var row = new JsonObject { ["payload"] = "[1, 2, 3]" };

        var coerced = Assert.IsType<string>(TypeSystem.Coerce(row["payload"], ColumnType.Json));

        Assert.Equal("[1,2,3]", coerced);
    }

    [Fact]
    public void Coerce_JsonValueScalar_IsUnwrapped()
    {
        var row = JsonNode.Parse("{\"amount\": \"105.34\", \"count\": 3}")!;

        Assert.Equal(105.34m, TypeSystem.Coerce(row["amount"], Money));
        Assert.Equal(3, TypeSystem.Coerce(row["count"], ColumnType.Int));
    }

    public static TheoryData<ColumnType> AllTypes => new()
    {
        ColumnType.Boolean, ColumnType.Short, ColumnType.Int, ColumnType.Long, Money, ColumnType.Float, ColumnType.Double,
        ColumnType.NaiveDate, ColumnType.NaiveDateTime, ColumnType.UtcDateTime, ColumnType.Binary, ColumnType.Xml,
        ColumnType.String, ColumnType.Json,
    };

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Coerce_Null_StaysNull(ColumnType type)
    {
        Assert.Null(TypeSystem.Coerce(null, type));
        Assert.Null(TypeSystem.Coerce(JsonNode.Parse("{\"v\":null}")!["v"], type));
    }

    public static TheoryData<object, ColumnType> Failures => new()
    {
        { "maybe", ColumnType.Boolean },
        { 2, ColumnType.Boolean },
        { 1.5, ColumnType.Boolean },
        { 70000, ColumnType.Short },
        { "abc", ColumnType.Short },
        { 3_000_000_000L, ColumnType.Int },
        { 1.5, ColumnType.Int },
        { "12.5", ColumnType.Long },
        { ulong.MaxValue, ColumnType.Long },
        { double.NaN, ColumnType.Long },
        { Guid.Empty, ColumnType.Long },
        { "abc", Money },
        { "12345678901234.5", Money },
        { "abc", ColumnType.Float },
        { "abc", ColumnType.Double },
        { "not-a-date", ColumnType.NaiveDate },
        { 5, ColumnType.NaiveDate },
        { "2007-13-45T00:00:00", ColumnType.NaiveDateTime },
        { "yesterday", ColumnType.UtcDateTime },
        { true, ColumnType.UtcDateTime },
        { "%%% not base64", ColumnType.Binary },
        { 5, ColumnType.Binary },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Coerce_InconvertibleValue_ThrowsFormatException(object value, ColumnType type)
    {
        Assert.ThrowsAny<FormatException>(() => TypeSystem.Coerce(value, type));
    }

    [Fact]
    public void Coerce_CanonicalValue_ReturnsSameInstance()
    {
        object text = "already a string";
        object bytes = new byte[] { 1 };

        Assert.Same(text, TypeSystem.Coerce(text, ColumnType.String));
        Assert.Same(bytes, TypeSystem.Coerce(bytes, ColumnType.Binary));
    }
}

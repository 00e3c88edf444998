using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Schema;

public sealed class TypeSystemInferTests
{
    private enum Color
    {
        Red,
    }

    public static TheoryData<object, ColumnType> Values => new()
    {
        { true, ColumnType.Boolean },
        { (sbyte)1, ColumnType.Short },
        { (byte)1, ColumnType.Short },
        { (short)1, ColumnType.Short },
        { (ushort)1, ColumnType.Int },
        { 1, ColumnType.Int },
        { 1u, ColumnType.Long },
        { 1L, ColumnType.Long },
        // Exact numbers get room for 18 digits before the point and their own scale, not DECIMAL(38, s): two DECIMAL(38, s)
        // of different scales widen to STRING, so 1.5m then 1.25m made a text column.
        { 1ul, ColumnType.Decimal(20, 0) },
        { new BigInteger(1), ColumnType.Decimal(18, 0) },
        { (Int128)1, ColumnType.Decimal(18, 0) },
        { (UInt128)1, ColumnType.Decimal(18, 0) },
        { 105.34m, ColumnType.Decimal(20, 2) },
        { (Half)1.5, ColumnType.Float },
        { 10.4f, ColumnType.Float },
        { 0.0001, ColumnType.Double },
        { new DateOnly(2007, 12, 3), ColumnType.NaiveDate },
        { new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Utc), ColumnType.UtcDateTime },
        { new DateTimeOffset(2007, 12, 3, 10, 15, 30, TimeSpan.FromHours(2)), ColumnType.UtcDateTime },
        { new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Unspecified), ColumnType.NaiveDateTime },
        { new byte[] { 0, 1, 2, 3 }, ColumnType.Binary },
        { new ReadOnlyMemory<byte>([1]), ColumnType.Binary },
        { new Memory<byte>([1]), ColumnType.Binary },
        { new XElement("tag", "This is XML"), ColumnType.Xml },
        { "This is a string", ColumnType.String },
        { 'c', ColumnType.String },
        { Guid.Empty, ColumnType.String },
        { new TimeOnly(10, 15), ColumnType.String },
        { TimeSpan.FromMinutes(5), ColumnType.String },
        { Color.Red, ColumnType.String },
        { new Uri("https://example.com"), ColumnType.String },
        { new JsonObject { ["a"] = 10 }, ColumnType.Json },
        { new JsonArray(1, 2), ColumnType.Json },
        { new List<int> { 1, 2 }, ColumnType.Json },
        { new Dictionary<string, object> { ["a"] = 10 }, ColumnType.Json },
        { new { A = 1 }, ColumnType.Json },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Infer_ClrValue_GetsDocumentedType(object value, ColumnType expected)
    {
        Assert.Equal(expected, TypeSystem.Infer(value));
    }

    [Fact]
    public void Infer_Null_IsNull()
    {
        Assert.Null(TypeSystem.Infer(null));
    }

    [Fact]
    public void Infer_LocalDateTime_IsNaiveDateTime()
    {
        Assert.Equal(ColumnType.NaiveDateTime, TypeSystem.Infer(new DateTime(2007, 12, 3, 10, 15, 30, DateTimeKind.Local)));
    }

    [Theory]
    [InlineData("5", DataType.Long)]
    [InlineData("5.5", DataType.Double)]
    [InlineData("\"text\"", DataType.String)]
    [InlineData("true", DataType.Boolean)]
    [InlineData("{\"a\":1}", DataType.Json)]
    [InlineData("[1,2]", DataType.Json)]
    public void Infer_JsonElement_UnwrapsScalar(string json, DataType expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(expected, TypeSystem.Infer(document.RootElement.Clone())!.Value.Type);
    }

    [Theory]
    [InlineData("5", DataType.Long)]
    [InlineData("5.5", DataType.Double)]
    [InlineData("\"text\"", DataType.String)]
    [InlineData("false", DataType.Boolean)]
    public void Infer_ParsedJsonValue_UnwrapsScalar(string json, DataType expected)
    {
        var node = JsonNode.Parse($"{{\"v\":{json}}}")!["v"];

        Assert.Equal(expected, TypeSystem.Infer(node)!.Value.Type);
    }

    [Fact]
    public void Infer_CreatedJsonValue_UsesItsClrType()
    {
        Assert.Equal(ColumnType.Int, TypeSystem.Infer(JsonValue.Create(5)));
        Assert.Equal(ColumnType.String, TypeSystem.Infer(JsonValue.Create("x")));
    }

    [Fact]
    public void Infer_JsonNull_IsNull()
    {
        using var document = JsonDocument.Parse("null");

        Assert.Null(TypeSystem.Infer(document.RootElement.Clone()));
        Assert.Null(TypeSystem.Infer(JsonNode.Parse("{\"v\":null}")!["v"]));
    }
}

using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Schema;

/// <summary>Numbers that a double cannot hold keep every digit: JSON numbers are read from their text, exact CLR types never
/// pass through double, and a DECIMAL value always has its column's scale.</summary>
public sealed class TypeSystemExactNumberTests
{
    private const string WideText = "12345678901234567.1234567891";
    private const string BigLongText = "9007199254740993";   // 2^53 + 1: the first integer a double cannot hold
    private static readonly ColumnType Wide = ColumnType.Decimal(38, 10);
    private static readonly ColumnType Money = ColumnType.Decimal(12, 2);

    /// <summary>The JSON number <paramref name="text"/> in each shape a connector can hand the engine.</summary>
    public static IEnumerable<object> JsonShapes(string text)
    {
        using var document = JsonDocument.Parse($"{{\"v\":{text}}}");
        yield return document.RootElement.GetProperty("v").Clone();
        yield return JsonNode.Parse($"{{\"v\":{text}}}")!["v"]!;
        yield return JsonSerializer.Deserialize<JsonNode>($"{{\"v\":{text}}}")!["v"]!;
        yield return JsonSerializer.Deserialize<Dictionary<string, object>>($"{{\"v\":{text}}}")!["v"];
        yield return JsonSerializer.Deserialize<object>(text)!;
    }

    public static TheoryData<int> Shapes => [0, 1, 2, 3, 4];

    private static object Json(string text, int shape) => JsonShapes(text).ElementAt(shape);

    // ---- DECIMAL ---------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Coerce_JsonNumberIntoWideDecimal_KeepsEveryDigit(int shape)
    {
        var coerced = Assert.IsType<decimal>(TypeSystem.Coerce(Json(WideText, shape), Wide));

        Assert.Equal(12345678901234567.1234567891m, coerced);
        Assert.Equal(WideText, TypeSystem.ToText(coerced));
        Assert.Equal(10, coerced.Scale);
    }

    [Fact]
    public void Coerce_SerializedDecimalNodeIntoWideDecimal_KeepsEveryDigit()
    {
        var node = JsonSerializer.SerializeToNode(new { v = 12345678901234567.1234567891m })!["v"];

        Assert.Equal(12345678901234567.1234567891m, TypeSystem.Coerce(node, Wide));
    }

    public static TheoryData<object, string> SameMoney => new()
    {
        { "1.5", "1.50" },
        { "1.50", "1.50" },
        { " 1.500 ", "1.50" },
        { "15e-1", "1.50" },
        { 1.5m, "1.50" },
        { 1.50m, "1.50" },
        { 1.500m, "1.50" },
        { 1.5, "1.50" },
        { 1.5f, "1.50" },
        { 3, "3.00" },
        { 3L, "3.00" },
        { "-0.001", "0.00" },
    };

    [Theory]
    [MemberData(nameof(SameMoney))]
    public void Coerce_IntoDecimal_HasExactlyTheColumnsScale(object value, string expected)
    {
        var coerced = Assert.IsType<decimal>(TypeSystem.Coerce(value, Money));

        Assert.Equal(2, coerced.Scale);
        Assert.Equal(expected, TypeSystem.ToText(coerced));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Coerce_JsonNumberIntoDecimal_HasExactlyTheColumnsScale(int shape)
    {
        Assert.Equal("1.50", TypeSystem.ToText(TypeSystem.Coerce(Json("1.5", shape), Money)!));
        Assert.Equal("1.50", TypeSystem.ToText(TypeSystem.Coerce(Json("1.50", shape), Money)!));
        Assert.Equal("100.00", TypeSystem.ToText(TypeSystem.Coerce(Json("1e2", shape), Money)!));
    }

    [Theory]
    [InlineData("0.125", "0.13")]
    [InlineData("-0.125", "-0.13")]
    [InlineData("0.124999999999999999999999999999999", "0.12")]
    [InlineData("2.675", "2.68")]
    [InlineData("9999999999.994", "9999999999.99")]
    [InlineData("0.005", "0.01")]
    [InlineData("0.0049", "0.00")]
    [InlineData("1e-400", "0.00")]
    public void Coerce_MoreDigitsThanScale_RoundsHalfAwayFromZero(string text, string expected)
    {
        Assert.Equal(expected, TypeSystem.ToText(TypeSystem.Coerce(text, Money)!));
        Assert.Equal(expected, TypeSystem.ToText(TypeSystem.Coerce(Json(text, 0), Money)!));
    }

    [Fact]
    public void Coerce_DoubleIntoDecimal_TakesItsShortestText()
    {
        // (decimal)double keeps 15 significant digits and would give 0.3; the double's own text has 17.
        Assert.Equal(0.30000000000000004m, TypeSystem.Coerce(0.1 + 0.2, ColumnType.Decimal(20, 17)));
    }

    public static TheoryData<object, ColumnType, decimal> ExactIntegers => new()
    {
        { long.MaxValue, ColumnType.Decimal(19, 0), 9223372036854775807m },
        { long.MinValue, ColumnType.Decimal(19, 0), -9223372036854775808m },
        { long.MaxValue, ColumnType.Decimal(21, 2), 9223372036854775807m },
        { ulong.MaxValue, ColumnType.Decimal(20, 0), 18446744073709551615m },
        { BigInteger.Parse("79228162514264337593543950335", CultureInfo.InvariantCulture), ColumnType.Decimal(38, 0), decimal.MaxValue },
        { -(Int128)long.MaxValue * 1000, ColumnType.Decimal(38, 0), -9223372036854775807000m },
        { (UInt128)ulong.MaxValue * 10, ColumnType.Decimal(38, 0), 184467440737095516150m },
    };

    [Theory]
    [MemberData(nameof(ExactIntegers))]
    public void Coerce_IntegerIntoDecimal_Exact(object value, ColumnType type, decimal expected)
    {
        var coerced = Assert.IsType<decimal>(TypeSystem.Coerce(value, type));

        Assert.Equal(expected, coerced);
        Assert.Equal(type.Scale, coerced.Scale);
    }

    public static TheoryData<object, ColumnType> BeyondPrecision => new()
    {
        { "12345678901.5", Money },
        { "9999999999.995", Money },   // rounding carries it to 11 digits before the point
        { 12345678901.5m, Money },
        { 12345678901L, Money },
        { 1e11, Money },
        { "1e11", Money },
        { BigInteger.Pow(10, 40), ColumnType.Decimal(38, 0) },
        { long.MaxValue, ColumnType.Decimal(18, 0) },
        { "123456789012345678901234567890", ColumnType.Decimal(29, 0) },
    };

    [Theory]
    [MemberData(nameof(BeyondPrecision))]
    public void Coerce_ValueBeyondPrecision_ThrowsNamingValueAndType(object value, ColumnType type)
    {
        var ex = Assert.Throws<FormatException>(() => TypeSystem.Coerce(value, type));

        Assert.Contains(type.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("digits before the point", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Coerce_JsonNumberBeyondPrecision_ThrowsNamingValue(int shape)
    {
        var ex = Assert.Throws<FormatException>(() => TypeSystem.Coerce(Json("12345678901.25", shape), Money));

        Assert.Contains("12345678901.25", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DECIMAL(12,2)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234567890123456789012345678901.5", 38, 2)]    // fits DECIMAL(38,2), not System.Decimal
    [InlineData("12345678901234567890123456789012345678", 38, 0)]
    [InlineData("0.1234567890123456789012345678901", 38, 31)]  // 31 digits after the point
    [InlineData("1234567890.123456789012345678901234", 38, 28)]
    public void Coerce_ValueBeyondSystemDecimal_ThrowsNamingValueNeverRounds(string text, int precision, int scale)
    {
        var ex = Assert.Throws<FormatException>(() => TypeSystem.Coerce(text, ColumnType.Decimal(precision, scale)));

        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
        Assert.Contains("STRING", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TypeSystem.Coerce(Json(text, 1), ColumnType.Decimal(precision, scale)));
    }

    [Fact]
    public void Coerce_ScaleAbove28_KeepsValuesADecimalHolds()
    {
        var type = ColumnType.Decimal(38, 30);

        Assert.Equal(0.5m, TypeSystem.Coerce("0.5", type));
        Assert.Equal(0.5m, TypeSystem.Coerce(0.5m, type));
        Assert.Equal(28, Assert.IsType<decimal>(TypeSystem.Coerce("0.50", type)).Scale);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("--1")]
    [InlineData("1,5")]
    [InlineData("NaN")]
    [InlineData("")]
    public void Coerce_TextNotANumberIntoDecimal_Throws(string text)
    {
        Assert.Throws<FormatException>(() => TypeSystem.Coerce(text, Money));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Coerce_NonFiniteDoubleIntoDecimal_Throws(double value)
    {
        Assert.Throws<FormatException>(() => TypeSystem.Coerce(value, Money));
    }

    // ---- LONG ------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Coerce_JsonNumberAboveTwoPow53IntoLong_KeepsEveryDigit(int shape)
    {
        Assert.Equal(9007199254740993L, TypeSystem.Coerce(Json(BigLongText, shape), ColumnType.Long));
        Assert.Equal(9007199254740993L, TypeSystem.Coerce(Json("9007199254740993.0", shape), ColumnType.Long));
        Assert.Equal(9007199254740993L, TypeSystem.Coerce(Json("9.007199254740993e15", shape), ColumnType.Long));
        Assert.Equal(long.MinValue, TypeSystem.Coerce(Json("-9223372036854775808.000", shape), ColumnType.Long));
    }

    [Theory]
    [InlineData("12.5")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("1e19")]
    [InlineData("1e-3")]
    public void Coerce_JsonNumberNotALong_Throws(string text)
    {
        Assert.Throws<FormatException>(() => TypeSystem.Coerce(Json(text, 1), ColumnType.Long));
    }

    [Fact]
    public void Coerce_WideIntegersIntoLong_Exact()
    {
        Assert.Equal(9007199254740993L, TypeSystem.Coerce((Int128)9007199254740993L, ColumnType.Long));
        Assert.Equal(9007199254740993L, TypeSystem.Coerce((UInt128)9007199254740993L, ColumnType.Long));
        Assert.Equal(9007199254740993L, TypeSystem.Coerce(new BigInteger(9007199254740993L), ColumnType.Long));
        Assert.Equal(9007199254740993L, TypeSystem.Coerce(9007199254740993UL, ColumnType.Long));
        Assert.Equal(9007199254740993L, TypeSystem.Coerce(9007199254740993m, ColumnType.Long));
        Assert.Throws<FormatException>(() => TypeSystem.Coerce(Int128.MaxValue, ColumnType.Long));
    }

    // ---- STRING, DOUBLE ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData(WideText)]
    [InlineData(BigLongText)]
    [InlineData("1.50")]
    [InlineData("1e2")]
    [InlineData("-0")]
    [InlineData("123456789012345678901234567890123456789012345")]
    public void Coerce_JsonNumberIntoString_IsItsExactText(string text)
    {
        foreach (var shape in JsonShapes(text))
        {
            Assert.Equal(text, TypeSystem.Coerce(shape, ColumnType.String));
        }
    }

    [Fact]
    public void Coerce_ExactClrNumbersIntoString_AreTheirInvariantText()
    {
        Assert.Equal("1.50", TypeSystem.Coerce(1.50m, ColumnType.String));
        Assert.Equal("12345678901234567.1234567891", TypeSystem.Coerce(12345678901234567.1234567891m, ColumnType.String));
        Assert.Equal("9007199254740993", TypeSystem.Coerce(9007199254740993L, ColumnType.String));
        Assert.Equal("18446744073709551615", TypeSystem.Coerce(ulong.MaxValue, ColumnType.String));
        Assert.Equal("170141183460469231731687303715884105727", TypeSystem.Coerce(Int128.MaxValue, ColumnType.String));
        Assert.Equal("100000000000000000000000000000000000000000", TypeSystem.Coerce(BigInteger.Pow(10, 41), ColumnType.String));
    }

    [Fact]
    public void Coerce_JsonNumberIntoDoubleAndFloat_ParsesItsText()
    {
        Assert.Equal(0.1, TypeSystem.Coerce(Json("0.1", 1), ColumnType.Double));
        Assert.Equal(0.1f, TypeSystem.Coerce(Json("0.1", 1), ColumnType.Float));
        Assert.Throws<FormatException>(() => TypeSystem.Coerce(Json("1e400", 1), ColumnType.Double));
        Assert.Throws<FormatException>(() => TypeSystem.Coerce(Json("1e39", 1), ColumnType.Float));
    }

    // ---- inference -------------------------------------------------------------------------------------------

    public static TheoryData<string, ColumnType> JsonNumbers => new()
    {
        { BigLongText, ColumnType.Long },
        { "-9223372036854775808", ColumnType.Long },
        { "-0", ColumnType.Long },
        { "9223372036854775808", ColumnType.Decimal(19, 0) },
        { "79228162514264337593543950335", ColumnType.Decimal(29, 0) },
        { "19.99", ColumnType.Double },
        { "0.1", ColumnType.Double },
        { "1e-7", ColumnType.Double },
        { "1.5e300", ColumnType.Double },
        { "1e30", ColumnType.Double },
        { "0.30000000000000004", ColumnType.Double },
        { WideText, ColumnType.Decimal(28, 10) },
        { "-" + WideText + "0", ColumnType.Decimal(29, 11) },
        { "3.141592653589793238", ColumnType.Decimal(36, 18) },
        { "9007199254740993.5", ColumnType.Decimal(19, 1) },
        { "123456789012345678901234567890", ColumnType.String },     // beyond a decimal, and a double drops digits
        { "1.0000000000000000000000000000001", ColumnType.String },  // 31 digits after the point
        { "1e400", ColumnType.String },
    };

    [Theory]
    [MemberData(nameof(JsonNumbers))]
    public void Infer_JsonNumber_TypeThatHoldsEveryDigit(string text, ColumnType expected)
    {
        foreach (var shape in JsonShapes(text))
        {
            Assert.Equal(expected, TypeSystem.Infer(shape));
        }
    }

    [Theory]
    [MemberData(nameof(JsonNumbers))]
    public void Coerce_JsonNumberIntoItsInferredType_KeepsItsValue(string text, ColumnType inferred)
    {
        var coerced = TypeSystem.Coerce(Json(text, 1), inferred)!;

        var back = TypeSystem.ToText(coerced);
        if (inferred == ColumnType.Double)
        {
            Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), double.Parse(back, CultureInfo.InvariantCulture));
        }
        else if (text == "-0")
        {
            Assert.Equal(0L, coerced);
        }
        else
        {
            Assert.Equal(text, back);   // LONG, DECIMAL with the written scale, and STRING give the text back digit for digit
        }
    }

    [Fact]
    public void Infer_DecimalsOfDifferentScales_WidenToADecimalHoldingBoth()
    {
        var widened = TypeSystem.Widen(TypeSystem.Infer(1.5m)!.Value, TypeSystem.Infer(1.25m)!.Value);

        Assert.Equal(ColumnType.Decimal(20, 2), widened);
        Assert.Equal(ColumnType.Decimal(21, 2), TypeSystem.Widen(widened, ColumnType.Long));
    }

    [Fact]
    public void Infer_ExactValueBeyondDecimal_IsString()
    {
        Assert.Equal(ColumnType.String, TypeSystem.Infer(BigInteger.Pow(10, 30)));
        Assert.Equal(ColumnType.String, TypeSystem.Infer(Int128.MaxValue));
        Assert.Equal(ColumnType.Decimal(29, 0), TypeSystem.Infer((UInt128)decimal.MaxValue));
        Assert.Equal(ColumnType.Decimal(29, 0), TypeSystem.Infer(decimal.MaxValue));
        Assert.Equal(ColumnType.Decimal(38, 28), TypeSystem.Infer(0.0000000000000000000000000001m));
    }

    [Fact]
    public void Infer_WideJsonDecimalThenLong_WidensToADecimalHoldingBoth()
    {
        var widened = TypeSystem.Widen(TypeSystem.Infer(Json(WideText, 0))!.Value, TypeSystem.Infer(Json(BigLongText, 0))!.Value);

        Assert.Equal(ColumnType.Decimal(29, 10), widened);
        Assert.Equal(12345678901234567.1234567891m, TypeSystem.Coerce(Json(WideText, 2), widened));
        Assert.Equal(9007199254740993m, TypeSystem.Coerce(Json(BigLongText, 2), widened));
    }
}

namespace Tributary.Sdk.Tests;

public sealed class ColumnTypeTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(15, 2)]
    [InlineData(38, 0)]
    [InlineData(38, 38)]
    public void Decimal_InRange_KeepsPrecisionAndScale(int precision, int scale)
    {
        var type = ColumnType.Decimal(precision, scale);

        Assert.Equal(DataType.Decimal, type.Type);
        Assert.Equal(precision, type.Precision);
        Assert.Equal(scale, type.Scale);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(39, 0)]
    [InlineData(10, -1)]
    [InlineData(10, 11)]
    public void Decimal_OutOfRange_ThrowsArgumentOutOfRange(int precision, int scale)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ColumnType.Decimal(precision, scale));
    }

    [Fact]
    public void MaxPrecision_Is38()
    {
        Assert.Equal(38, ColumnType.MaxPrecision);
    }

    public static TheoryData<ColumnType, string> Names => new()
    {
        { ColumnType.Boolean, "BOOLEAN" },
        { ColumnType.Short, "SHORT" },
        { ColumnType.Int, "INT" },
        { ColumnType.Long, "LONG" },
        { ColumnType.Decimal(15, 2), "DECIMAL(15,2)" },
        { ColumnType.Decimal(38, 0), "DECIMAL(38,0)" },
        { ColumnType.Float, "FLOAT" },
        { ColumnType.Double, "DOUBLE" },
        { ColumnType.NaiveDate, "NAIVE_DATE" },
        { ColumnType.NaiveDateTime, "NAIVE_DATETIME" },
        { ColumnType.UtcDateTime, "UTC_DATETIME" },
        { ColumnType.Binary, "BINARY" },
        { ColumnType.Xml, "XML" },
        { ColumnType.String, "STRING" },
        { ColumnType.Json, "JSON" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ToString_EveryType_IsFivetranName(ColumnType type, string expected)
    {
        Assert.Equal(expected, type.ToString());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TryParse_EveryTypeName_RoundTrips(ColumnType type, string name)
    {
        Assert.True(ColumnType.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
        Assert.True(ColumnType.TryParse(" " + name.ToLowerInvariant() + " ", out parsed));
        Assert.Equal(type, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("INTEGER")]
    [InlineData("DECIMAL(39,0)")]
    [InlineData("DECIMAL(10,11)")]
    [InlineData("DECIMAL(10)")]
    [InlineData("DECIMAL(a,b)")]
    public void TryParse_NotATypeName_ReturnsFalse(string? text)
    {
        Assert.False(ColumnType.TryParse(text, out _));
    }

    [Fact]
    public void Equality_SameDecimal_Equal()
    {
        Assert.Equal(ColumnType.Decimal(15, 2), ColumnType.Decimal(15, 2));
        Assert.NotEqual(ColumnType.Decimal(15, 2), ColumnType.Decimal(15, 3));
        Assert.NotEqual(ColumnType.Decimal(15, 2), ColumnType.Decimal(16, 2));
    }

    [Fact]
    public void NonDecimal_PrecisionAndScale_AreZero()
    {
        Assert.Equal(0, ColumnType.Long.Precision);
        Assert.Equal(0, ColumnType.Long.Scale);
    }

    [Fact]
    public void StaticTypes_CoverEveryDataTypeButDecimal()
    {
        ColumnType[] all =
        [
            ColumnType.Boolean, ColumnType.Short, ColumnType.Int, ColumnType.Long, ColumnType.Float, ColumnType.Double,
            ColumnType.NaiveDate, ColumnType.NaiveDateTime, ColumnType.UtcDateTime, ColumnType.Binary, ColumnType.Xml,
            ColumnType.String, ColumnType.Json,
        ];

        Assert.Equal(
            Enum.GetValues<DataType>().Where(t => t != DataType.Decimal).Order(),
            all.Select(t => t.Type).Order());
    }
}

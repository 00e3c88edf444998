using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Schema;

public sealed class TypeSystemWidenTests
{
    private static readonly ColumnType[] All =
    [
        ColumnType.Boolean, ColumnType.Short, ColumnType.Int, ColumnType.Long, ColumnType.Decimal(15, 2), ColumnType.Float,
        ColumnType.Double, ColumnType.NaiveDate, ColumnType.NaiveDateTime, ColumnType.UtcDateTime, ColumnType.Binary,
        ColumnType.Xml, ColumnType.String, ColumnType.Json,
    ];

    public static TheoryData<ColumnType, ColumnType, ColumnType> Lattice => new()
    {
        { ColumnType.Short, ColumnType.Int, ColumnType.Int },
        { ColumnType.Int, ColumnType.Long, ColumnType.Long },
        { ColumnType.Short, ColumnType.Long, ColumnType.Long },
        { ColumnType.Long, ColumnType.Short, ColumnType.Long },
        { ColumnType.Int, ColumnType.Decimal(10, 2), ColumnType.Decimal(12, 2) },
        { ColumnType.Long, ColumnType.Decimal(15, 2), ColumnType.Decimal(21, 2) },
        { ColumnType.Decimal(10, 4), ColumnType.Decimal(12, 1), ColumnType.Decimal(15, 4) },
        { ColumnType.Long, ColumnType.Double, ColumnType.Double },
        { ColumnType.Int, ColumnType.Double, ColumnType.Double },
        { ColumnType.Short, ColumnType.Float, ColumnType.Float },
        { ColumnType.Int, ColumnType.Float, ColumnType.Double },
        { ColumnType.Float, ColumnType.Double, ColumnType.Double },
        { ColumnType.Decimal(15, 2), ColumnType.Double, ColumnType.Double },
        { ColumnType.Double, ColumnType.String, ColumnType.String },
        { ColumnType.Boolean, ColumnType.Int, ColumnType.String },
        { ColumnType.Json, ColumnType.Int, ColumnType.String },
        { ColumnType.Binary, ColumnType.String, ColumnType.String },
        { ColumnType.Xml, ColumnType.Json, ColumnType.String },
        { ColumnType.NaiveDate, ColumnType.NaiveDateTime, ColumnType.NaiveDateTime },
        { ColumnType.NaiveDate, ColumnType.UtcDateTime, ColumnType.UtcDateTime },
        { ColumnType.NaiveDateTime, ColumnType.UtcDateTime, ColumnType.UtcDateTime },
        { ColumnType.NaiveDate, ColumnType.Int, ColumnType.String },
    };

    [Theory]
    [MemberData(nameof(Lattice))]
    public void Widen_TwoTypes_NarrowestTypeHoldingBoth(ColumnType current, ColumnType incoming, ColumnType expected)
    {
        Assert.Equal(expected, TypeSystem.Widen(current, incoming));
    }

    [Fact]
    public void Widen_IntDoubleString_FollowsSchemaChangeExample()
    {
        var type = TypeSystem.Widen(ColumnType.Int, ColumnType.Double);
        Assert.Equal(ColumnType.Double, type);

        Assert.Equal(ColumnType.String, TypeSystem.Widen(type, ColumnType.String));
    }

    [Fact]
    public void Widen_SameType_Unchanged()
    {
        foreach (var type in All)
        {
            Assert.Equal(type, TypeSystem.Widen(type, type));
        }
    }

    [Fact]
    public void Widen_AnythingWithString_IsString()
    {
        foreach (var type in All)
        {
            Assert.Equal(ColumnType.String, TypeSystem.Widen(type, ColumnType.String));
            Assert.Equal(ColumnType.String, TypeSystem.Widen(ColumnType.String, type));
        }
    }

    [Fact]
    public void Widen_EveryPair_IsSymmetric()
    {
        foreach (var a in All)
        {
            foreach (var b in All)
            {
                Assert.True(TypeSystem.Widen(a, b) == TypeSystem.Widen(b, a), $"{a} + {b}");
            }
        }
    }

    [Fact]
    public void Widen_Result_NeverNarrowsEitherSide()
    {
        foreach (var a in All)
        {
            foreach (var b in All)
            {
                var widened = TypeSystem.Widen(a, b);
                Assert.True(TypeSystem.Widen(widened, a) == widened, $"{a} + {b} = {widened} narrows {a}");
                Assert.True(TypeSystem.Widen(widened, b) == widened, $"{a} + {b} = {widened} narrows {b}");
            }
        }
    }

    [Theory]
    [InlineData(38, 37)]
    [InlineData(38, 30)]
    public void Widen_LongAndHighScaleDecimal_StillHoldsEveryLong(int precision, int scale)
    {
        // A LONG needs 19 integer digits; DECIMAL(38, s) with s > 19 has fewer. The widened type must hold both.
        var widened = TypeSystem.Widen(ColumnType.Long, ColumnType.Decimal(precision, scale));

        var holdsLong = widened.Type != DataType.Decimal || widened.Precision - widened.Scale >= 19;
        Assert.True(holdsLong, $"LONG + DECIMAL({precision},{scale}) widened to {widened}, which cannot hold {long.MaxValue}.");
        Assert.Equal(long.MaxValue, Convert.ToInt64(TypeSystem.Coerce(long.MaxValue, widened), System.Globalization.CultureInfo.InvariantCulture));
    }
}

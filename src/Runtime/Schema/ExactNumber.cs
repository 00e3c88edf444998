using System.Globalization;
using System.Numerics;
using Tributary.Sdk;

namespace Tributary.Runtime.Schema;

/// <summary>
/// Exact decimal arithmetic for DECIMAL and LONG columns: number text (a JSON number's, a string's, a double's
/// shortest round-trip text) and integers are scaled and rounded digit by digit, never through <see cref="double"/>.
/// </summary>
/// <remarks>
/// A DECIMAL value is carried as a <see cref="decimal"/>: at most 28 digits after the point and an unscaled value below
/// 2^96 (28 to 29 significant digits). A value that needs more fails with a <see cref="FormatException"/> that names it;
/// nothing is rounded beyond the column's own scale.
/// </remarks>
internal static class ExactNumber
{
    /// <summary>The most digits after the point a <see cref="decimal"/> holds.</summary>
    public const int MaxDecimalScale = 28;

    /// <summary>The integer digits an inferred DECIMAL leaves room for at least: what DuckDB keeps in 64 bits, and more than money needs.</summary>
    private const int InferredIntegerDigits = 18;

    private const int StackLimit = 256;

    private static readonly UInt128 DecimalLimit = UInt128.One << 96;

    private static readonly UInt128[] Powers = BuildPowers();

    private static readonly decimal[] DecimalPowers = [.. Powers.Take(MaxDecimalScale + 1).Select(p => (decimal)p)];

    /// <summary>Converts <paramref name="value"/> to DECIMAL(p, s): exactly scale s, rounded half away from zero as a SQL cast does.</summary>
    /// <exception cref="FormatException">Not a number, more digits before the point than the type holds, or more than a <see cref="decimal"/> carries.</exception>
    public static decimal ToDecimal(decimal value, ColumnType type)
    {
        if (value.Scale == type.Scale && type.Scale <= MaxDecimalScale && type.Precision - type.Scale <= MaxDecimalScale
            && Math.Abs(value) < DecimalPowers[type.Precision - type.Scale])
        {
            return value;   // already canonical: no new value
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        return Rescale(value < 0, magnitude, value.Scale, type, value.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc cref="ToDecimal(decimal, ColumnType)"/>
    public static decimal ToDecimal(Int128 value, ColumnType type) =>
        Rescale(Int128.IsNegative(value), Int128.IsNegative(value) ? (UInt128)(-(value + 1)) + 1 : (UInt128)value, 0, type, value.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc cref="ToDecimal(decimal, ColumnType)"/>
    public static decimal ToDecimal(UInt128 value, ColumnType type) =>
        Rescale(false, value, 0, type, value.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc cref="ToDecimal(decimal, ColumnType)"/>
    public static decimal ToDecimal(BigInteger value, ColumnType type)
    {
        var magnitude = BigInteger.Abs(value);
        if (magnitude > (BigInteger)UInt128.MaxValue)
        {
            throw DoesNotFit(value.ToString(CultureInfo.InvariantCulture), type);
        }

        return Rescale(value.Sign < 0, (UInt128)magnitude, 0, type, value.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc cref="ToDecimal(decimal, ColumnType)"/>
    public static decimal ToDecimal(string text, ColumnType type)
    {
        var trimmed = text.AsSpan().Trim();
        Span<char> buffer = trimmed.Length <= StackLimit ? stackalloc char[trimmed.Length] : new char[trimmed.Length];
        if (!TryParse(trimmed, buffer, out var number))
        {
            throw NotANumber(text);
        }

        if (!TryScale(number, buffer[..number.DigitCount], type.Scale, out var unscaled, out _))
        {
            throw DoesNotFit(text, type);
        }

        return Build(number.Negative, unscaled, type, text);
    }

    /// <summary>The integer that number text is, exactly: <c>12</c>, <c>12.0</c>, <c>1.2e1</c>.</summary>
    /// <exception cref="FormatException">Not a number, not a whole number, or beyond a <see cref="long"/>.</exception>
    public static long ToInteger(string text)
    {
        var trimmed = text.AsSpan().Trim();
        Span<char> buffer = trimmed.Length <= StackLimit ? stackalloc char[trimmed.Length] : new char[trimmed.Length];
        if (!TryParse(trimmed, buffer, out var number))
        {
            throw NotANumber(text);
        }

        var limit = (UInt128)long.MaxValue + (number.Negative ? 1u : 0u);
        if (!TryScale(number, buffer[..number.DigitCount], 0, out var unscaled, out var rounded) || unscaled > limit)
        {
            throw new FormatException($"{text} is beyond the range of a LONG.");
        }

        if (rounded)
        {
            throw new FormatException($"{text} is not a whole number.");
        }

        return number.Negative && unscaled != UInt128.Zero ? -(long)(unscaled - 1u) - 1 : (long)unscaled;
    }

    /// <summary>
    /// The type an undeclared JSON number gets, chosen so that no digit of <paramref name="text"/> is lost: integral text
    /// that fits a <see cref="long"/> is LONG; other integral text is DECIMAL when a <see cref="decimal"/> holds it; text with
    /// a fraction or an exponent is DOUBLE when a double gives back the same number (its shortest round-trip text has the same
    /// digits), else DECIMAL when a <see cref="decimal"/> holds it; whatever is left is STRING, which keeps the text.
    /// </summary>
    public static ColumnType InferJsonNumber(string text)
    {
        var span = text.AsSpan();
        Span<char> buffer = span.Length <= StackLimit ? stackalloc char[span.Length] : new char[span.Length];
        if (!TryParse(span, buffer, out var number))
        {
            return ColumnType.String;
        }

        var digits = buffer[..number.DigitCount];
        var integral = span.IndexOfAny('.', 'e', 'E') < 0;
        if (integral && long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            return ColumnType.Long;
        }

        if (integral && DecimalTypeOf(number, digits) is { } whole)
        {
            return whole;
        }

        if (RoundTripsThroughDouble(span, number, digits))
        {
            return ColumnType.Double;
        }

        return DecimalTypeOf(number, digits) ?? ColumnType.String;
    }

    /// <summary>
    /// The type an exact value (a <see cref="decimal"/>, a big integer) gets when undeclared: DECIMAL with the value's scale,
    /// room for at least 18 digits before the point (more when the value has them), at most 38 digits in all; STRING when a
    /// <see cref="decimal"/> cannot carry it.
    /// </summary>
    public static ColumnType InferExact(int integerDigits, int scale) =>
        integerDigits + scale > ColumnType.MaxPrecision || scale > MaxDecimalScale
            ? ColumnType.String
            : ColumnType.Decimal(Math.Min(ColumnType.MaxPrecision, Math.Max(InferredIntegerDigits, integerDigits) + scale), scale);

    /// <summary>The digits before the point of a <see cref="decimal"/>: 0 for 0.5.</summary>
    public static int IntegerDigits(decimal value)
    {
        var magnitude = Math.Abs(value);
        var digits = 0;
        while (digits < DecimalPowers.Length && magnitude >= DecimalPowers[digits])
        {
            digits++;
        }

        return digits;
    }

    /// <summary>The type an undeclared big integer gets: DECIMAL when a <see cref="decimal"/> holds it, else STRING.</summary>
    public static ColumnType InferInteger(BigInteger value)
    {
        var magnitude = BigInteger.Abs(value);
        return magnitude >= (BigInteger)DecimalLimit ? ColumnType.String : InferExact(magnitude.IsZero ? 1 : magnitude.ToString(CultureInfo.InvariantCulture).Length, 0);
    }

    private static ColumnType? DecimalTypeOf(in Number number, ReadOnlySpan<char> digits)
    {
        var scale = number.WrittenScale;
        var integerDigits = (int)Math.Max(0, Math.Min(int.MaxValue / 2, number.DigitCount + number.Exponent));
        if (scale > MaxDecimalScale || integerDigits + scale > ColumnType.MaxPrecision
            || !TryScale(number, digits, scale, out var unscaled, out _) || unscaled >= DecimalLimit)
        {
            return null;
        }

        return InferExact(integerDigits, scale);
    }

    private static bool RoundTripsThroughDouble(ReadOnlySpan<char> text, in Number number, ReadOnlySpan<char> digits)
    {
        // Fifteen significant digits always survive a double in its normal range.
        var magnitude = number.DigitCount + number.Exponent;
        if (number.DigitCount <= 15 && magnitude is > -300 and < 300)
        {
            return true;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return false;
        }

        var shortest = value.ToString("R", CultureInfo.InvariantCulture).AsSpan();
        Span<char> buffer = stackalloc char[shortest.Length];
        return TryParse(shortest, buffer, out var back)
            && back.Exponent == number.Exponent
            && (back.Negative == number.Negative || number.DigitCount == 0)
            && buffer[..back.DigitCount].SequenceEqual(digits);
    }

    // unscaled × 10^-fromScale → DECIMAL(p, s).
    private static decimal Rescale(bool negative, UInt128 magnitude, int fromScale, ColumnType type, string text)
    {
        var toScale = type.Scale;
        if (fromScale > toScale)
        {
            var divisor = Power(fromScale - toScale);
            var quotient = UInt128.DivRem(magnitude, divisor);
            magnitude = quotient.Quotient + (quotient.Remainder >= divisor - quotient.Remainder ? UInt128.One : UInt128.Zero);
        }
        else if (fromScale < toScale)
        {
            var factor = Power(toScale - fromScale);
            if (magnitude > UInt128.MaxValue / factor)
            {
                throw DoesNotFit(text, type);
            }

            magnitude *= factor;
        }

        return Build(negative, magnitude, type, text);
    }

    // An unscaled value at the type's scale → the decimal, after the precision check.
    private static decimal Build(bool negative, UInt128 unscaled, ColumnType type, string text)
    {
        if (unscaled >= Power(type.Precision))
        {
            throw DoesNotFit(text, type);
        }

        var scale = type.Scale;
        while (scale > MaxDecimalScale && unscaled % 10u == 0u)
        {
            unscaled /= 10u;
            scale--;
        }

        if (scale > MaxDecimalScale)
        {
            throw new FormatException(
                $"{text} has digits beyond the {MaxDecimalScale}th after the point, more than Tributary carries for a DECIMAL value (System.Decimal); declare the column STRING to keep every digit.");
        }

        if (unscaled >= DecimalLimit)
        {
            throw new FormatException(
                $"{text} has more significant digits than the 28 Tributary carries for a DECIMAL value (System.Decimal) at scale {type.Scale}; declare the column STRING to keep every digit.");
        }

        return new decimal((int)(uint)unscaled, (int)(uint)(unscaled >> 32), (int)(uint)(unscaled >> 64), negative && unscaled != UInt128.Zero, (byte)scale);
    }

    /// <summary>
    /// unscaled = round(digits × 10^(exponent + scale)), half away from zero; <paramref name="rounded"/> when digits were
    /// dropped. False when the result has more than 38 digits.
    /// </summary>
    private static bool TryScale(in Number number, ReadOnlySpan<char> digits, int scale, out UInt128 unscaled, out bool rounded)
    {
        unscaled = UInt128.Zero;
        rounded = false;
        if (digits.IsEmpty)
        {
            return true;
        }

        var shift = number.Exponent + scale;
        var keep = digits.Length + shift;
        if (keep > ColumnType.MaxPrecision)
        {
            return false;
        }

        if (keep < 0)
        {
            rounded = true;   // the value is below half a unit of the last kept place: it rounds to 0
            return true;
        }

        var kept = (int)Math.Min(keep, digits.Length);
        for (var i = 0; i < kept; i++)
        {
            unscaled = (unscaled * 10u) + (uint)(digits[i] - '0');
        }

        if (shift > 0)
        {
            unscaled *= Power((int)shift);
        }
        else if (kept < digits.Length)
        {
            rounded = true;   // trailing zeros are stripped, so what is dropped is never zero
            if (digits[kept] >= '5')
            {
                unscaled++;
            }
        }

        return true;
    }

    /// <summary>
    /// Parses invariant number text (<c>-12.5</c>, <c>1e-3</c>, <c>.5</c>) into its significant digits, without leading or
    /// trailing zeros, written to <paramref name="buffer"/>, and the power of ten they are multiplied by.
    /// </summary>
    private static bool TryParse(ReadOnlySpan<char> text, Span<char> buffer, out Number number)
    {
        number = default;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        var count = 0;
        var sawDigit = false;
        long fraction = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            sawDigit = true;
            if (count > 0 || text[i] != '0')
            {
                buffer[count++] = text[i];
            }
        }

        if (i < text.Length && text[i] == '.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit(text[i]); i++)
            {
                sawDigit = true;
                fraction++;
                if (count > 0 || text[i] != '0')
                {
                    buffer[count++] = text[i];
                }
            }
        }

        if (!sawDigit)
        {
            return false;
        }

        long exponent = 0;
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            var negativeExponent = false;
            if (i < text.Length && text[i] is '+' or '-')
            {
                negativeExponent = text[i] == '-';
                i++;
            }

            var start = i;
            for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
            {
                exponent = Math.Min((exponent * 10) + (text[i] - '0'), 1_000_000_000);   // far past any DECIMAL either way
            }

            if (i == start)
            {
                return false;
            }

            exponent = negativeExponent ? -exponent : exponent;
        }

        if (i != text.Length)
        {
            return false;
        }

        var written = exponent - fraction;
        var power = written;
        while (count > 0 && buffer[count - 1] == '0')
        {
            count--;
            power++;
        }

        number = new Number(negative, count, count == 0 ? 0 : power, (int)Math.Clamp(-written, 0, int.MaxValue));
        return true;
    }

    private static UInt128 Power(int exponent) => Powers[exponent];

    private static UInt128[] BuildPowers()
    {
        var powers = new UInt128[ColumnType.MaxPrecision + 1];
        powers[0] = UInt128.One;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10u;
        }

        return powers;
    }

    private static FormatException NotANumber(string text) => new($"'{text}' is not a number.");

    private static FormatException DoesNotFit(string text, ColumnType type) => new(
        $"{text} does not fit {type}, which holds {type.Precision - type.Scale} digits before the point and {type.Scale} after it.");

    /// <summary>Parsed number text: ±digits × 10^<see cref="Exponent"/>.</summary>
    /// <param name="Negative">Whether the text has a minus sign.</param>
    /// <param name="DigitCount">How many significant digits (0 for zero).</param>
    /// <param name="Exponent">The power of ten the digits are multiplied by.</param>
    /// <param name="WrittenScale">The digits after the point as written, trailing zeros included (never negative).</param>
    private readonly record struct Number(bool Negative, int DigitCount, long Exponent, int WrittenScale);
}

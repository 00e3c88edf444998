using System.Collections;
using System.Globalization;
using System.Text;

namespace Tributary.Connectors.Hashes;

/// <summary>
/// Serialises values exactly as Python's <c>json.dumps(value, sort_keys=True)</c> does, so a hash computed
/// here matches the one a Python connector computes: separators <c>", "</c> and <c>": "</c>, keys sorted by
/// code point, non-ASCII escaped as <c>\uXXXX</c>, floats in Python's shortest <c>repr</c> form.
/// </summary>
/// <remarks>
/// Supports what <c>json.dumps</c> supports: <see langword="null"/>, <see cref="bool"/>, strings, integers,
/// <see cref="double"/> and <see cref="float"/>, dictionaries with string keys and lists.
/// </remarks>
internal static class PythonJson
{
    /// <summary>The JSON text of <paramref name="value"/>, keys sorted.</summary>
    /// <exception cref="ArgumentException">A value Python's <c>json</c> module cannot serialise either.</exception>
    public static string DumpsSorted(object? value)
    {
        var builder = new StringBuilder();
        Write(builder, value);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case bool flag:
                builder.Append(flag ? "true" : "false");
                break;
            case string text:
                WriteString(builder, text);
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong:
                builder.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case double number:
                builder.Append(FormatFloat(number));
                break;
            case float number:
                builder.Append(FormatFloat(number));
                break;
            case IEnumerable<KeyValuePair<string, object?>> dictionary:
                WriteObject(builder, dictionary);
                break;
            case IEnumerable list:
                WriteArray(builder, list);
                break;
            default:
                throw new ArgumentException(
                    $"Object of type {value.GetType().Name} is not JSON serializable the way Python's json.dumps serialises.",
                    nameof(value));
        }
    }

    private static void WriteObject(StringBuilder builder, IEnumerable<KeyValuePair<string, object?>> dictionary)
    {
        var pairs = dictionary.ToList();
        pairs.Sort(static (left, right) => CompareCodePoints(left.Key, right.Key));

        builder.Append('{');
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            WriteString(builder, pairs[i].Key);
            builder.Append(": ");
            Write(builder, pairs[i].Value);
        }

        builder.Append('}');
    }

    private static void WriteArray(StringBuilder builder, IEnumerable list)
    {
        builder.Append('[');
        var first = true;
        foreach (var item in list)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            Write(builder, item);
        }

        builder.Append(']');
    }

    /// <summary>Python's <c>ensure_ascii</c> escaping: everything outside space to '~' is escaped.</summary>
    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case >= ' ' and <= '~':
                    builder.Append(c);
                    break;
                default:
                    // UTF-16 code units, so a character outside the BMP becomes its surrogate pair, as in Python.
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest digits that round-trip, in fixed notation when the
    /// decimal exponent is in [-4, 16), otherwise in scientific notation with a two-digit minimum exponent.</summary>
    internal static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // .NET's "R" gives the same shortest round-trip digits; only the layout differs from Python's.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip[0] == '-';
        var unsigned = negative ? roundTrip[1..] : roundTrip;

        var exponentAt = unsigned.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? unsigned : unsigned[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(unsigned[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        var pointAt = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = pointAt < 0 ? mantissa : mantissa.Remove(pointAt, 1);
        // decimalPoint: how many of the digits stand before the point (value = 0.digits × 10^decimalPoint).
        var decimalPoint = (pointAt < 0 ? mantissa.Length : pointAt) + exponent;

        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits[leadingZeros..].TrimEnd('0');
        decimalPoint -= leadingZeros;

        var builder = new StringBuilder(24);
        if (negative)
        {
            builder.Append('-');
        }

        if (decimalPoint is > -4 and <= 16)
        {
            if (decimalPoint <= 0)
            {
                builder.Append("0.").Append('0', -decimalPoint).Append(digits);
            }
            else if (decimalPoint >= digits.Length)
            {
                builder.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
            }
            else
            {
                builder.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
            }
        }
        else
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var scientificExponent = decimalPoint - 1;
            builder.Append('e').Append(scientificExponent < 0 ? '-' : '+')
                .Append(Math.Abs(scientificExponent).ToString("00", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>Orders strings by Unicode code point, as Python sorts <c>str</c>.</summary>
    private static int CompareCodePoints(string left, string right)
    {
        var l = left.EnumerateRunes();
        var r = right.EnumerateRunes();
        while (true)
        {
            var hasLeft = l.MoveNext();
            var hasRight = r.MoveNext();
            if (!hasLeft || !hasRight)
            {
                return hasLeft.CompareTo(hasRight);
            }

            var order = l.Current.Value.CompareTo(r.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }
}

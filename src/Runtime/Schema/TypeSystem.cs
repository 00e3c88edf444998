using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Tributary.Sdk;

namespace Tributary.Runtime.Schema;

/// <summary>
/// The fourteen types: what a value's type is when undeclared, how a value is coerced into a declared type,
/// and how two types widen into one that holds both. Coerced values take the CLR types documented on
/// <see cref="Destinations.WriteBatch"/>.
/// </summary>
/// <remarks>
/// Exact values stay exact: a JSON number is read from its text, and a <see cref="decimal"/>, <see cref="long"/>,
/// <see cref="ulong"/>, <see cref="Int128"/>, <see cref="UInt128"/>, <see cref="BigInteger"/> or JSON number never passes
/// through <see cref="double"/> on its way to a DECIMAL, LONG or STRING column. A DECIMAL(p, s) value is rounded to scale s
/// (half away from zero, as a SQL cast does) and always has exactly that scale, so equal values have one text and one hash.
/// </remarks>
public static class TypeSystem
{
    private static readonly ColumnType UnsignedLong = ColumnType.Decimal(20, 0);

    /// <summary>
    /// Turns JSON scalars into plain CLR values so every other method sees one representation. A JSON number that is a
    /// <see cref="long"/> becomes one; any other JSON number stays a <see cref="JsonElement"/>, whose text is exact.
    /// </summary>
    public static object? Unwrap(object? value) => value switch
    {
        null => null,
        JsonValue json => UnwrapJson(json),
        JsonElement element => UnwrapElement(element),
        _ => value,
    };

    /// <summary>The type a value gets when its column is not declared; <see langword="null"/> for NULL.</summary>
    /// <remarks>
    /// Numbers get a type that holds them exactly. A <see cref="decimal"/> is DECIMAL with its own scale and room for at least
    /// 18 digits before the point (DECIMAL(20,2) for 105.34m); a <see cref="ulong"/> DECIMAL(20,0); a <see cref="BigInteger"/>,
    /// <see cref="Int128"/> or <see cref="UInt128"/> DECIMAL(max(18, digits), 0), or STRING past what a <see cref="decimal"/>
    /// carries. A JSON number: integral text that fits a <see cref="long"/> is LONG (9007199254740993 included); other integral
    /// text DECIMAL when it fits; text with a fraction or an exponent DOUBLE when a double gives back its digits (<c>19.99</c>,
    /// <c>1e-7</c>), else DECIMAL with its written scale (<c>12345678901234567.1234567891</c> is DECIMAL(28,10)); what no
    /// DECIMAL holds is STRING, its exact text.
    /// </remarks>
    public static ColumnType? Infer(object? value) => Unwrap(value) switch
    {
        null => null,
        bool => ColumnType.Boolean,
        sbyte or byte or short => ColumnType.Short,
        ushort or int => ColumnType.Int,
        uint or long => ColumnType.Long,
        ulong => UnsignedLong,
        BigInteger big => ExactNumber.InferInteger(big),
        Int128 big => ExactNumber.InferInteger(big),
        UInt128 big => ExactNumber.InferInteger(big),
        decimal d => ExactNumber.InferExact(ExactNumber.IntegerDigits(d), d.Scale),
        JsonElement { ValueKind: JsonValueKind.Number } number => ExactNumber.InferJsonNumber(number.GetRawText()),
        Half or float => ColumnType.Float,
        double => ColumnType.Double,
        DateOnly => ColumnType.NaiveDate,
        DateTime { Kind: DateTimeKind.Utc } or DateTimeOffset => ColumnType.UtcDateTime,
        DateTime => ColumnType.NaiveDateTime,
        byte[] or ReadOnlyMemory<byte> or Memory<byte> => ColumnType.Binary,
        XNode => ColumnType.Xml,
        string or char or Guid or TimeOnly or TimeSpan or Enum or Uri => ColumnType.String,
        JsonNode or JsonElement or IEnumerable => ColumnType.Json,
        _ => ColumnType.Json,
    };

    /// <summary>The narrowest type that holds every value of both types. Types only widen; anything widens to STRING.</summary>
    public static ColumnType Widen(ColumnType current, ColumnType incoming)
    {
        if (current == incoming)
        {
            return current;
        }

        var (a, b) = (current.Type, incoming.Type);
        if (IsInteger(a) && IsInteger(b))
        {
            return a > b ? current : incoming;
        }

        if ((IsInteger(a) && b == DataType.Decimal) || (a == DataType.Decimal && IsInteger(b)) || (a == DataType.Decimal && b == DataType.Decimal))
        {
            var scale = Math.Max(current.Scale, incoming.Scale);
            var integerDigits = Math.Max(IntegerDigits(current), IntegerDigits(incoming));
            // Past 38 digits no DECIMAL holds both exactly; text does.
            return integerDigits + scale <= ColumnType.MaxPrecision ? ColumnType.Decimal(integerDigits + scale, scale) : ColumnType.String;
        }

        if (IsNumeric(a) && IsNumeric(b))
        {
            // FLOAT holds SHORT exactly; every other mix of numbers fits a DOUBLE.
            return (a, b) is (DataType.Float, DataType.Short) or (DataType.Short, DataType.Float) ? ColumnType.Float : ColumnType.Double;
        }

        if (IsTemporal(a) && IsTemporal(b))
        {
            return a == DataType.UtcDateTime || b == DataType.UtcDateTime ? ColumnType.UtcDateTime : ColumnType.NaiveDateTime;
        }

        return ColumnType.String;
    }

    /// <summary>
    /// Converts <paramref name="value"/> to <paramref name="type"/>'s CLR representation.
    /// </summary>
    /// <exception cref="FormatException">The value cannot be represented in the type.</exception>
    public static object? Coerce(object? value, ColumnType type)
    {
        if (IsCanonical(value, type))
        {
            return value;   // already the column's CLR type: no conversion, no new box
        }

        value = Unwrap(value);
        if (value is null)
        {
            return null;
        }

        try
        {
            return type.Type switch
            {
                DataType.Boolean => ToBoolean(value),
                DataType.Short => checked((short)ToInteger(value)),
                DataType.Int => checked((int)ToInteger(value)),
                DataType.Long => ToInteger(value),
                DataType.Decimal => ToDecimal(value, type),
                DataType.Float => ToFloat(value),
                DataType.Double => ToDouble(value),
                DataType.NaiveDate => ToDate(value),
                DataType.NaiveDateTime => ToNaiveDateTime(value),
                DataType.UtcDateTime => ToUtcDateTime(value),
                DataType.Binary => ToBinary(value),
                DataType.Xml => value is XNode node ? node.ToString(SaveOptions.DisableFormatting) : ToText(value),
                DataType.String => ToText(value),
                DataType.Json => ToJson(value),
                _ => throw new FormatException($"Unknown type {type}."),
            };
        }
        catch (Exception ex) when (ex is OverflowException or InvalidCastException or ArgumentException)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    /// <summary>
    /// A value as invariant text: what a STRING column stores and what surrogate keys hash. A JSON number is its exact text,
    /// a <see cref="decimal"/> its invariant digits with its scale (coerced to DECIMAL(p, s), always s digits after the point).
    /// </summary>
    public static string ToText(object value) => Unwrap(value) switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime { Kind: DateTimeKind.Utc } dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        ReadOnlyMemory<byte> bytes => Convert.ToBase64String(bytes.Span),
        Memory<byte> bytes => Convert.ToBase64String(bytes.Span),
        XNode node => node.ToString(SaveOptions.DisableFormatting),
        JsonNode or JsonElement or IDictionary or IList => ToJson(value),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        var other => other?.ToString() ?? string.Empty,
    };

    /// <summary>Whether <paramref name="value"/> already is <paramref name="type"/>'s CLR representation.</summary>
    public static bool IsCanonical(object? value, ColumnType type) => type.Type switch
    {
        DataType.Long => value is long,
        DataType.String or DataType.Xml => value is string,
        DataType.Double => value is double,
        DataType.Boolean => value is bool,
        DataType.Int => value is int,
        DataType.Short => value is short,
        DataType.Float => value is float,
        DataType.UtcDateTime => value is DateTimeOffset { Offset.Ticks: 0 },
        DataType.NaiveDate => value is DateOnly,
        DataType.NaiveDateTime => value is DateTime { Kind: DateTimeKind.Unspecified },
        DataType.Binary => value is byte[],
        _ => false,
    };

    private static bool IsInteger(DataType type) => type is DataType.Short or DataType.Int or DataType.Long;

    private static bool IsNumeric(DataType type) => IsInteger(type) || type is DataType.Decimal or DataType.Float or DataType.Double;

    private static bool IsTemporal(DataType type) => type is DataType.NaiveDate or DataType.NaiveDateTime or DataType.UtcDateTime;

    private static int IntegerDigits(ColumnType type) => type.Type switch
    {
        DataType.Short => 5,
        DataType.Int => 10,
        DataType.Long => 19,
        _ => type.Precision - type.Scale,
    };

    private static object? UnwrapJson(JsonValue json)
    {
        if (json.TryGetValue<JsonElement>(out var element))
        {
            return UnwrapElement(element);
        }

        return json.GetValue<object>();
    }

    private static object? UnwrapElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => (object)true,
        JsonValueKind.False => (object)false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number when element.TryGetInt64(out var l) && (l != 0 || IsPlainZero(element)) => (object)l,
        JsonValueKind.Number => element,   // its text is the exact value; see ExactNumber
        _ => element.ValueKind == JsonValueKind.Array ? JsonArray.Create(element) : JsonObject.Create(element),
    };

    // "-0" reads as the long 0, but a STRING column keeps its text.
    private static bool IsPlainZero(JsonElement element) => element.GetRawText() == "0";

    private static bool ToBoolean(object value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s.Trim(), out var b) => b,
        string s when s.Trim() is "1" or "0" => s.Trim() == "1",
        sbyte or byte or short or ushort or int or uint or long or ulong => ToInteger(value) switch
        {
            0 => false,
            1 => true,
            _ => throw new FormatException("Only 0 and 1 convert to BOOLEAN."),
        },
        _ => throw Unsupported(value, "BOOLEAN"),
    };

    private static long ToInteger(object value) => value switch
    {
        long l => l,
        int i => i,
        short s => s,
        sbyte sb => sb,
        byte b => b,
        ushort us => us,
        uint ui => ui,
        ulong ul => checked((long)ul),
        BigInteger bi => (long)bi,
        Int128 big => checked((long)big),
        UInt128 big => checked((long)big),
        JsonElement number => ExactNumber.ToInteger(number.GetRawText()),
        decimal d when decimal.Truncate(d) == d => checked((long)d),
        double d when Math.Truncate(d) == d && !double.IsInfinity(d) => checked((long)d),
        float f when MathF.Truncate(f) == f && !float.IsInfinity(f) => checked((long)f),
        bool b => b ? 1 : 0,
        string s => long.Parse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture),
        _ => throw Unsupported(value, "an integer"),
    };

    // Exact: text is scaled digit by digit; a double or float by its shortest round-trip text, the digits it shows.
    private static decimal ToDecimal(object value, ColumnType type) => value switch
    {
        decimal m => ExactNumber.ToDecimal(m, type),
        string s => ExactNumber.ToDecimal(s, type),
        JsonElement number => ExactNumber.ToDecimal(number.GetRawText(), type),
        double d when double.IsFinite(d) => ExactNumber.ToDecimal(d.ToString("R", CultureInfo.InvariantCulture), type),
        float f when float.IsFinite(f) => ExactNumber.ToDecimal(f.ToString("R", CultureInfo.InvariantCulture), type),
        Half h when Half.IsFinite(h) => ExactNumber.ToDecimal(h.ToString("R", CultureInfo.InvariantCulture), type),
        double or float or Half => throw new FormatException($"{ToText(value)} is not a finite number."),
        BigInteger bi => ExactNumber.ToDecimal(bi, type),
        Int128 big => ExactNumber.ToDecimal(big, type),
        UInt128 big => ExactNumber.ToDecimal(big, type),
        ulong ul => ExactNumber.ToDecimal((UInt128)ul, type),
        _ => ExactNumber.ToDecimal((Int128)ToInteger(value), type),
    };

    private static float ToFloat(object value) => value switch
    {
        float f => f,
        double d => (float)d,
        Half h => (float)h,
        string s => float.Parse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture),
        JsonElement number => Finite(float.Parse(number.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture), number),
        decimal m => (float)m,
        BigInteger bi => (float)bi,
        Int128 big => (float)big,
        UInt128 big => (float)big,
        ulong ul => ul,
        _ => ToInteger(value),
    };

    private static double ToDouble(object value) => value switch
    {
        double d => d,
        float f => f,
        Half h => (double)h,
        string s => double.Parse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture),
        JsonElement number => Finite(double.Parse(number.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture), number),
        decimal m => (double)m,
        BigInteger bi => (double)bi,
        Int128 big => (double)big,
        UInt128 big => (double)big,
        ulong ul => ul,
        _ => ToInteger(value),
    };

    // JSON has no infinities: a number too large for the type is an error, not ±∞.
    private static T Finite<T>(T parsed, JsonElement number)
        where T : IFloatingPointIeee754<T> =>
        T.IsFinite(parsed) ? parsed : throw new FormatException($"{number.GetRawText()} is beyond the range of a {typeof(T).Name}.");

    private static DateOnly ToDate(object value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        DateTimeOffset dto => DateOnly.FromDateTime(dto.UtcDateTime),
        string s when DateOnly.TryParseExact(s.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
        string s => DateOnly.FromDateTime(ParseTimestamp(s).UtcDateTime),
        _ => throw Unsupported(value, "NAIVE_DATE"),
    };

    private static DateTime ToNaiveDateTime(object value) => value switch
    {
        DateTime { Kind: DateTimeKind.Local } dt => DateTime.SpecifyKind(dt.ToUniversalTime(), DateTimeKind.Unspecified),
        DateTime dt => DateTime.SpecifyKind(dt, DateTimeKind.Unspecified),
        DateTimeOffset dto => DateTime.SpecifyKind(dto.UtcDateTime, DateTimeKind.Unspecified),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified),
        string s => DateTime.SpecifyKind(ParseTimestamp(s).UtcDateTime, DateTimeKind.Unspecified),
        _ => throw Unsupported(value, "NAIVE_DATETIME"),
    };

    private static DateTimeOffset ToUtcDateTime(object value) => value switch
    {
        DateTimeOffset dto => dto.ToUniversalTime(),
        DateTime { Kind: DateTimeKind.Local } dt => new DateTimeOffset(dt.ToUniversalTime(), TimeSpan.Zero),
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc), TimeSpan.Zero),
        DateOnly d => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), TimeSpan.Zero),
        string s => ParseTimestamp(s),
        _ => throw Unsupported(value, "UTC_DATETIME"),
    };

    // ISO-8601; a timestamp without an offset is taken as UTC.
    private static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.Parse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();

    private static byte[] ToBinary(object value) => value switch
    {
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> bytes => bytes.ToArray(),
        Memory<byte> bytes => bytes.ToArray(),
        string s => Convert.FromBase64String(s.Trim()),
        _ => throw Unsupported(value, "BINARY (bytes, or base64 text)"),
    };

    private static string ToJson(object value) => value switch
    {
        JsonNode node => node.ToJsonString(),
        JsonElement element => element.GetRawText(),
        // Text that already is a JSON document is kept as it is, never encoded twice.
        string s when LooksLikeJson(s) => JsonNode.Parse(s)?.ToJsonString() ?? "null",
        _ => JsonSerializer.Serialize(value),
    };

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length == 0 || (trimmed[0] != '{' && trimmed[0] != '['))
        {
            return false;
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static InvalidCastException Unsupported(object value, string target) =>
        new($"A {value.GetType().Name} cannot be converted to {target}.");
}

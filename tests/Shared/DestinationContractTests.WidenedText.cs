using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Testing;

/// <summary>
/// A widened column reads alike whenever its values were written: a value the widening converted has the same text as the
/// same value written after the widening (the engine's <see cref="TypeSystem.ToText"/>), on every destination, including
/// values whose SQL text differs from .NET's.
/// </summary>
public abstract partial class DestinationContractTests
{
    // Each column's values, as the column holds them (a DECIMAL at its scale), and the text every one of them must read as.
    private static readonly (string Name, ColumnType Type, (object Value, string Text)[] Values)[] TextCases =
    [
        ("dbl", ColumnType.Double,
        [
            (-4.19533e20, "-4.19533E+20"), (1e15, "1000000000000000"), (123456789012345.0, "123456789012345"), (1e-7, "1E-07"), (0.1, "0.1"),
            (0.30000000000000004, "0.30000000000000004"), (double.MaxValue, "1.7976931348623157E+308"), (double.Epsilon, "5E-324"), (-0.5, "-0.5"),
        ]),
        ("flt", ColumnType.Float,
        [
            (10.4f, "10.4"), (3e-7f, "3E-07"), (1e10f, "1E+10"), (16777216f, "16777216"), (float.MaxValue, "3.4028235E+38"), (0.1f, "0.1"),
            (-2.5f, "-2.5"), (1.17549435E-38f, "1.1754944E-38"), (100f, "100"),
        ]),
        ("dec", ColumnType.Decimal(12, 4),
        [
            (7.0000m, "7.0000"), (12.5000m, "12.5000"), (-0.0001m, "-0.0001"), (0.0000m, "0.0000"), (99999999.9999m, "99999999.9999"),
            (-12.3400m, "-12.3400"), (1.0000m, "1.0000"), (0.1000m, "0.1000"), (-99999999.9999m, "-99999999.9999"),
        ]),
        ("ts", ColumnType.NaiveDateTime,
        [
            (new DateTime(2024, 1, 31, 0, 0, 0).AddTicks(1_234_560), "2024-01-31T00:00:00.123456"), (new DateTime(2024, 1, 31), "2024-01-31T00:00:00"),
            (new DateTime(2007, 12, 3, 10, 15, 30, 500), "2007-12-03T10:15:30.5"), (new DateTime(1, 1, 1, 0, 0, 1), "0001-01-01T00:00:01"),
            (new DateTime(9999, 12, 31, 23, 59, 59).AddTicks(9_999_990), "9999-12-31T23:59:59.999999"),
            (new DateTime(2000, 2, 29, 12, 0, 0).AddTicks(10), "2000-02-29T12:00:00.000001"), (new DateTime(1969, 12, 31, 23, 59, 59), "1969-12-31T23:59:59"),
            (new DateTime(2024, 6, 1, 1, 2, 3, 40), "2024-06-01T01:02:03.04"), (new DateTime(2024, 6, 1, 1, 2, 3, 7), "2024-06-01T01:02:03.007"),
        ]),
        ("utc", ColumnType.UtcDateTime,
        [
            (new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), "2007-12-03T10:15:30.123Z"),
            (new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), "1970-01-01T00:00:00Z"),
            (new DateTimeOffset(2024, 1, 31, 23, 59, 0, TimeSpan.Zero).AddTicks(10), "2024-01-31T23:59:00.000001Z"),
            (new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990), "1969-12-31T23:59:59.999999Z"),
            (new DateTimeOffset(2262, 4, 11, 23, 47, 16, TimeSpan.Zero), "2262-04-11T23:47:16Z"),
            (new DateTimeOffset(2024, 6, 1, 1, 2, 3, 500, TimeSpan.Zero), "2024-06-01T01:02:03.5Z"),
            (new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), "2000-01-01T00:00:00Z"),
            (new DateTimeOffset(2024, 6, 1, 1, 2, 3, 40, TimeSpan.Zero), "2024-06-01T01:02:03.04Z"),
            (new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(1), "0001-01-02T00:00:00Z"),
        ]),
        ("bin", ColumnType.Binary,
        [
            (new byte[] { 0, 1, 2, 255 }, "AAEC/w=="), (Array.Empty<byte>(), ""), (Enumerable.Range(0, 100).Select(i => (byte)i).ToArray(), Convert.ToBase64String([.. Enumerable.Range(0, 100).Select(i => (byte)i)])),
            (new byte[] { 0xFB, 0xFF }, "+/8="), ("héllo"u8.ToArray(), "aMOpbGxv"), (new byte[] { 0 }, "AA=="), (new byte[] { 92, 120 }, "XHg="),
            (new byte[57], new string('A', 76)), (new byte[58], new string('A', 76) + "AA=="),
        ]),
        ("day", ColumnType.NaiveDate,
        [
            (new DateOnly(2007, 12, 3), "2007-12-03"), (new DateOnly(1, 1, 1), "0001-01-01"), (new DateOnly(9999, 12, 31), "9999-12-31"),
            (new DateOnly(2000, 2, 29), "2000-02-29"), (new DateOnly(1969, 12, 31), "1969-12-31"), (new DateOnly(2024, 1, 1), "2024-01-01"),
            (new DateOnly(1900, 3, 1), "1900-03-01"), (new DateOnly(2100, 12, 1), "2100-12-01"), (new DateOnly(1582, 10, 4), "1582-10-04"),
        ]),
        ("flag", ColumnType.Boolean, [(true, "true"), (false, "false"), (true, "true"), (false, "false"), (true, "true"), (false, "false"), (true, "true"), (false, "false"), (true, "true")]),
        ("big", ColumnType.Long,
        [
            (long.MinValue, "-9223372036854775808"), (long.MaxValue, "9223372036854775807"), (0L, "0"), (-1L, "-1"), (9007199254740993L, "9007199254740993"),
            (132353453453635L, "132353453453635"), (1000L, "1000"), (-1000000L, "-1000000"), (42L, "42"),
        ]),
    ];

    [Fact]
    public async Task WriteAsync_WidenToString_ConvertedAndLaterValuesReadAsTheEnginesText()
    {
        await using var w = await OpenAsync();
        var rowsPerSide = TextCases[0].Values.Length;
        Assert.All(TextCases, c => Assert.Equal(rowsPerSide, c.Values.Length));
        var table = Table("texts", ["id"], [("id", ColumnType.Int), .. TextCases.Select(c => (c.Name, c.Type))]);
        await w.CreateAsync(table, [.. Enumerable.Range(0, rowsPerSide).Select(r => (object?[])[r, .. TextCases.Select(c => c.Values[r].Value)])]);
        var widened = TextCases.Aggregate(table, (t, c) => With(t, c.Name, ColumnType.String));

        // The same values again, written after the widening: the engine coerces each to STRING before the destination sees it.
        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened),
            [.. Enumerable.Range(0, rowsPerSide).Select(r => (object?[])[100 + r, .. TextCases.Select(c => TypeSystem.Coerce(c.Values[r].Value, ColumnType.String))])],
            [.. TextCases.Select(c => new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema(c.Name, ColumnType.String)))], T2));

        var names = string.Join(", ", TextCases.Select(c => WarehouseReader.Quote(c.Name)));
        var rows = await w.Reader.RowsAsync($"SELECT id, {names} FROM \"conn\".\"texts\" ORDER BY id", default);
        var expected = Enumerable.Range(0, rowsPerSide).Select(r => string.Join('|', TextCases.Select(c => c.Values[r].Text))).ToList();
        Assert.Equal([.. expected, .. expected], rows.Select(r => string.Join('|', r.Skip(1))));
        Assert.Equal([.. Enumerable.Range(0, rowsPerSide), .. Enumerable.Range(100, rowsPerSide)], rows.Select(r => (int)r[0]!));
    }

    [Fact]
    public async Task WriteAsync_WidenJsonAndXmlToString_ConvertedAndLaterDocumentsReadAlike()
    {
        await using var w = await OpenAsync();
        string[] documents = ["{\"b\":1,\"a\":[1.50,2e3,{\"c\":null}]}", "[]", "\"text\"", "{\"s\":\"é \\\" \\\\ <&>\"}", "12.50"];
        var table = Table("docs", ["id"], ("id", ColumnType.Int), ("doc", ColumnType.Json), ("x", ColumnType.Xml));
        await w.CreateAsync(table, [.. documents.Select((d, i) => (object?[])[i, d, $"<a n=\"{i}\">é &amp; b</a>"])]);
        var widened = With(With(table, "doc", ColumnType.String), "x", ColumnType.String);

        // Written after the widening, each document comes as its text, which a STRING column keeps as it is.
        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened),
            [.. documents.Select((d, i) => (object?[])[100 + i, TypeSystem.Coerce(d, ColumnType.String), $"<a n=\"{i}\">é &amp; b</a>"])],
            [new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("doc", ColumnType.String)), new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("x", ColumnType.String))],
            T2));

        // JSON keeps its document, not its spelling: PostgreSQL's jsonb orders keys and drops whitespace.
        var rows = await w.Reader.RowsAsync("SELECT id, doc, x FROM \"conn\".\"docs\" ORDER BY id", default);
        var expected = documents.Select((d, i) => $"{Values.CanonicalJson(d)}|<a n=\"{i}\">é &amp; b</a>").ToList();
        Assert.Equal([.. expected, .. expected], rows.Select(r => $"{Values.CanonicalJson((string)r[1]!)}|{r[2]}"));
    }

    [Fact]
    public async Task WriteAsync_WidenDecimalAndTimestampsInPlace_ConvertedAndLaterValuesReadAlike()
    {
        await using var w = await OpenAsync();
        var table = Table("numbers", ["id"], ("id", ColumnType.Int), ("dec", ColumnType.Decimal(20, 10)), ("ts", ColumnType.NaiveDateTime),
            ("day", ColumnType.NaiveDate));
        object?[][] rows =
        [
            [1, 0.1m, new DateTime(2024, 5, 8, 22, 30, 0).AddTicks(1_234_560), new DateOnly(2024, 5, 6)],
            [2, 1234567890.0123456789m, new DateTime(1969, 12, 31, 23, 59, 59), new DateOnly(1, 1, 1)],
            [3, -0.0000000001m, new DateTime(2000, 2, 29, 0, 0, 0).AddTicks(10), new DateOnly(9999, 12, 31)],
        ];
        await w.CreateAsync(table, rows);
        var widened = With(With(With(table, "dec", ColumnType.Double), "ts", ColumnType.UtcDateTime), "day", ColumnType.UtcDateTime);

        await w.WriteAsync(new WriteBatch(Schema, widened, Sys, OperationKind.Upsert, Writable(widened),
            [.. rows.Select(r => (object?[])[(int)r[0]! + 100, TypeSystem.Coerce(r[1], ColumnType.Double), TypeSystem.Coerce(r[2], ColumnType.UtcDateTime),
                TypeSystem.Coerce(r[3], ColumnType.UtcDateTime)])],
            [
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("dec", ColumnType.Double)),
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("ts", ColumnType.UtcDateTime)),
                new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("day", ColumnType.UtcDateTime)),
            ], T2));

        string[] expected =
        [
            "0.1|2024-05-08T22:30:00.123456Z|2024-05-06T00:00:00Z",
            "1234567890.0123458|1969-12-31T23:59:59Z|0001-01-01T00:00:00Z",
            "-1E-10|2000-02-29T00:00:00.000001Z|9999-12-31T00:00:00Z",
        ];
        Assert.Equal([.. expected, .. expected], await w.ShowAsync("SELECT dec, ts, day FROM \"conn\".\"numbers\" ORDER BY id"));
    }
}

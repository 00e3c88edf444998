using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Connectors.CsvFiles;

/// <summary>What is wrong with one field of a line (or the whole line, <see cref="CsvFilesSchema.WholeLine"/>).</summary>
internal sealed record FieldProblem(string Field, string? Value, string Reason);

/// <summary>
/// The original's validation, field by field: each CSV column, the <c>data</c> column it fills and the rule its text must
/// pass. Unlike the original, which stops at the first bad field, every bad field of a line is reported.
/// </summary>
internal static class CsvRowValidator
{
    private static readonly string[] DateFormats = ["yyyy-M-d"];
    private static readonly string[] DateTimeFormats = ["yyyy-M-d H:m:s"];

    /// <summary>The CSV columns a file must have, in the original's order of validation, with the <c>data</c> column of each.</summary>
    public static IReadOnlyList<(string CsvColumn, string DataColumn, Func<string, object?> Parse)> Columns { get; } =
    [
        ("int_column", "int_value", text => (int)ParseInteger(text, int.MinValue, int.MaxValue, "an integer (32-bit)")),
        ("long_column", "long_value", text => ParseInteger(text, long.MinValue, long.MaxValue, "an integer (64-bit)")),
        ("bool_column", "bool_value", text => ParseBoolean(text)),
        ("string_column", "string_value", ParseString),
        ("json_column", "json_value", ParseJson),
        ("naive_date_column", "naive_date_value", text => ParseDate(text)),
        ("naive_date_time_column", "naive_date_time_value", text => ParseDateTime(text)),
    ];

    /// <summary>
    /// The <c>data</c> values of a line's fields (<paramref name="fields"/>, in <see cref="Columns"/>' order), or the problems
    /// that keep it out.
    /// </summary>
    public static (Dictionary<string, object?>? Row, List<FieldProblem> Problems) Validate(IReadOnlyList<string> fields)
    {
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        var problems = new List<FieldProblem>();
        for (var i = 0; i < Columns.Count; i++)
        {
            var (csvColumn, dataColumn, parse) = Columns[i];
            try
            {
                row[dataColumn] = parse(fields[i]);
            }
            catch (FormatException ex)
            {
                problems.Add(new FieldProblem(csvColumn, fields[i], ex.Message));
            }
        }

        return problems.Count == 0 ? (row, problems) : (null, problems);
    }

    // Python's int(): surrounding whitespace and a sign allowed, nothing else.
    private static long ParseInteger(string text, long min, long max, string what) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new FormatException($"not {what}");

    // The original: non-blank, then "true" or "false" in any case, nothing around it.
    private static bool ParseBoolean(string text) =>
        text.Equals("true", StringComparison.OrdinalIgnoreCase)
        || (text.Equals("false", StringComparison.OrdinalIgnoreCase) ? false : throw new FormatException("not true or false"));

    // The original: anything but empty or whitespace, kept as it is.
    private static string ParseString(string text) =>
        string.IsNullOrWhiteSpace(text) ? throw new FormatException("empty") : text;

    // The original: json.loads, and a JSON null counts as no value.
    private static JsonNode ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text) ?? throw new FormatException("JSON null");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not JSON: {FirstSentence(ex.Message)}", ex);
        }
    }

    // The original: strptime(value.strip(), "%Y-%m-%d"), which takes 2023-8-1 as well as 2023-08-01.
    private static DateOnly ParseDate(string text) =>
        DateOnly.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new FormatException("not a date (yyyy-mm-dd)");

    // The original: strptime(value.strip(), "%Y-%m-%d %H:%M:%S").
    private static DateTime ParseDateTime(string text) =>
        DateTime.TryParseExact(text.Trim(), DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new FormatException("not a date and time (yyyy-mm-dd hh:mm:ss)");

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

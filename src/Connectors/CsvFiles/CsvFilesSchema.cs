using Tributary.Sdk;

namespace Tributary.Connectors.CsvFiles;

/// <summary>
/// The two tables: <c>data</c>, the original's table and types, keyed by the file and <c>int_value</c> (the original's key, which
/// only one file makes unique), and <c>rejects</c>, one row per field of a line that failed validation, with the reason.
/// </summary>
internal static class CsvFilesSchema
{
    public const string Data = "data";
    public const string Rejects = "rejects";

    /// <summary>In <c>rejects</c>, the field of a problem with the whole line: it has too few or too many fields.</summary>
    public const string WholeLine = "(line)";

    /// <summary>In <c>rejects</c>, the field of a problem with the whole file: it is not CSV that can be read to the end.</summary>
    public const string WholeFile = "(file)";

    public static IEnumerable<TableDefinition> Tables { get; } =
    [
        new TableDefinition(Data)
        {
            PrimaryKey = ["_file", "int_value"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["_file"] = ColumnType.String,
                ["_line"] = ColumnType.Long,
                ["int_value"] = ColumnType.Int,
                ["long_value"] = ColumnType.Long,
                ["bool_value"] = ColumnType.Boolean,
                ["string_value"] = ColumnType.String,
                ["json_value"] = ColumnType.Json,
                ["naive_date_value"] = ColumnType.NaiveDate,
                ["naive_date_time_value"] = ColumnType.NaiveDateTime,
            },
        },
        new TableDefinition(Rejects)
        {
            PrimaryKey = ["file", "line", "field"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["file"] = ColumnType.String,
                ["line"] = ColumnType.Long,
                ["field"] = ColumnType.String,
                ["value"] = ColumnType.String,
                ["reason"] = ColumnType.String,
                ["version"] = ColumnType.String,
            },
        },
    ];
}

namespace Tributary.Connectors.Tests.CsvFiles;

/// <summary>Files in the original's layout (its sample <c>data.csv</c>'s header, <c>float_column</c> included and unused).</summary>
internal static class CsvText
{
    public const string Header = "int_column,string_column,long_column,float_column,json_column,bool_column,naive_date_column,naive_date_time_column";

    /// <summary>A valid line whose values all follow from <paramref name="id"/> and <paramref name="name"/>.</summary>
    public static string Line(int id, string name) =>
        $"{id},{name},{id}000000000,{id}.5,\"{{\"\"id\"\": {id}}}\",{(id % 2 == 0 ? "TRUE" : "false")},2024-01-{id % 28 + 1:00},2024-01-02 {id % 24}:04:05";

    /// <summary>A file of <see cref="Header"/> and the given lines.</summary>
    public static string File(params string[] lines) => string.Join("\n", [Header, .. lines]) + "\n";

    /// <summary>A file of valid lines, one per (id, name).</summary>
    public static string Rows(params (int Id, string Name)[] rows) => File([.. rows.Select(r => Line(r.Id, r.Name))]);
}

using System.Text.RegularExpressions;
using Tributary.Connectors.Relational;
using Tributary.Sdk;

namespace Tributary.Connectors.KeyBasedReplication;

/// <summary>
/// The <c>tables</c> setting: <c>table(primary key columns) by replication key columns</c>, entries separated by
/// <c>;</c>, for example <c>customers(customer_id) by updated_at; order_lines(order_id, line_no) by modified_at</c>.
/// </summary>
internal static partial class TableList
{
    public const string Key = "tables";
    public const string Default = "customers(customer_id) by updated_at";

    public static IReadOnlyList<SourceTable> Read(ConnectorConfiguration configuration, string? schema)
    {
        var text = configuration.GetString(Key, Default);
        var tables = new List<SourceTable>();
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = EntryPattern().Match(entry);
            if (!match.Success)
            {
                throw new ConfigurationException(
                    $"Configuration key '{Key}' has an entry '{entry}' that is not 'table(primary key columns) by replication key columns', " +
                    $"for example '{Default}'.");
            }

            var name = match.Groups["table"].Value;
            if (tables.Any(t => t.Name == name))
            {
                throw new ConfigurationException($"Configuration key '{Key}' names table '{name}' twice.");
            }

            tables.Add(SourceTable.Named(name, schema, Columns(match.Groups["rk"].Value), Columns(match.Groups["pk"].Value)));
        }

        return tables.Count > 0 ? tables : throw new ConfigurationException($"Configuration key '{Key}' names no table.");
    }

    private static string[] Columns(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^(?<table>\w+)\s*\(\s*(?<pk>\w+(\s*,\s*\w+)*)\s*\)\s+by\s+(?<rk>\w+(\s*,\s*\w+)*)$", RegexOptions.CultureInvariant)]
    private static partial Regex EntryPattern();
}

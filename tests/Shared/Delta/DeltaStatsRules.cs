using System.Text.Json;
using DuckDB.NET.Data;

namespace Tributary.Testing;

/// <summary>
/// Checks an add's statistics against its Parquet file (PROTOCOL.md "Per-file Statistics"), computing the truth with DuckDB:
/// numRecords is the row count; nullCount, minValues and maxValues match each column's data, with the protocol's allowances:
/// timestamps truncated to milliseconds, strings cut to a prefix (a min must be a prefix of the true min; a max must be at
/// least the true max and, but for its last character, a prefix of it), loose bounds when tightBounds is false.
/// </summary>
internal static class DeltaStatsRules
{
    private sealed record Leaf(string[] Keys, string Column, string Type, string? Expression);

    /// <summary>Checks <paramref name="statsJson"/> against <paramref name="file"/> and adds a message per violation.</summary>
    /// <param name="connection">An open DuckDB connection.</param>
    /// <param name="file">The data file.</param>
    /// <param name="statsJson">The add's stats string.</param>
    /// <param name="fields">The table schema at the add's version.</param>
    /// <param name="physicalName">A field's name in the file and in the stats (its physical name under column mapping).</param>
    /// <param name="where">Names the add in messages.</param>
    /// <param name="everyColumn">Also require numRecords, and nullCount and min/max values for every non-binary column (Tributary's convention).</param>
    /// <param name="violations">Receives the messages.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public static async Task CheckAsync(
        DuckDBConnection connection, string file, string statsJson, IReadOnlyList<DeltaField> fields, Func<DeltaField, string> physicalName,
        string where, bool everyColumn, List<string> violations, CancellationToken cancellationToken)
    {
        DeltaFileStats stats;
        try
        {
            stats = DeltaFileStats.Parse(statsJson);
        }
        catch (InvalidDataException ex)
        {
            violations.Add($"{where}: the stats are malformed: {ex.Message}");
            return;
        }

        var source = $"read_parquet({DuckDbSql.Literal(file)}, hive_partitioning = false)";
        var present = await DuckDbSql.ColumnNamesAsync(connection, "SELECT * FROM " + source, cancellationToken);
        var leaves = new List<Leaf>();
        foreach (var field in fields)
        {
            var name = physicalName(field);
            var inFile = present.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
            AddLeaves(leaves, [name], field.Name, field.Type, inFile is null ? null : DuckDbSql.Quote(inFile), physicalName);
        }

        CheckKeys(stats.MinValues, fields, physicalName, "minValues", where, violations);
        CheckKeys(stats.MaxValues, fields, physicalName, "maxValues", where, violations);
        CheckKeys(stats.NullCount, fields, physicalName, "nullCount", where, violations);

        var select = new List<string> { "count(*)" };
        foreach (var leaf in leaves.Where(l => l.Expression is not null))
        {
            select.Add($"count(*) - count({leaf.Expression})");
            select.AddRange(StatsValue.Aggregates(leaf.Type, leaf.Expression!));
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", select)} FROM {source}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var rows = reader.GetInt64(0);
        if (stats.NumRecords is { } numRecords && numRecords != rows)
        {
            violations.Add($"{where}: stats.numRecords is {numRecords}, but the file has {rows} rows.");
        }
        else if (stats.NumRecords is null && everyColumn)
        {
            violations.Add($"{where}: the stats lack numRecords.");
        }

        var tight = stats.TightBounds ?? true;
        var ordinal = 1;
        foreach (var leaf in leaves)
        {
            var nulls = rows;
            object? min = null, max = null;
            if (leaf.Expression is not null)
            {
                nulls = reader.GetInt64(ordinal++);
                if (StatsValue.Aggregates(leaf.Type, leaf.Expression).Count == 2)
                {
                    min = reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal);
                    max = reader.IsDBNull(ordinal + 1) ? null : reader.GetValue(ordinal + 1);
                    ordinal += 2;
                }
            }

            var nullCount = Find(stats.NullCount, leaf.Keys);
            if (nullCount is { ValueKind: not JsonValueKind.Null } n)
            {
                if (n.ValueKind != JsonValueKind.Number || !n.TryGetInt64(out var recorded))
                {
                    violations.Add($"{where}: stats.nullCount.{leaf.Column} is {n.GetRawText()}, not an integer.");
                }
                else if (tight && recorded != nulls)
                {
                    violations.Add($"{where}: stats.nullCount.{leaf.Column} is {recorded}, but the file has {nulls} nulls in it.");
                }
            }
            else if (everyColumn && leaf.Type != "binary")
            {
                violations.Add($"{where}: the stats lack nullCount.{leaf.Column}.");
            }

            if (!StatsValue.HasBounds(leaf.Type))
            {
                continue;
            }

            foreach (var (bound, actual, isMax) in new[] { ("minValues", min, false), ("maxValues", max, true) })
            {
                var recorded = Find(isMax ? stats.MaxValues : stats.MinValues, leaf.Keys);
                if (recorded is not { ValueKind: not JsonValueKind.Null } value)
                {
                    if (everyColumn && actual is not null)
                    {
                        violations.Add($"{where}: the stats lack {bound}.{leaf.Column}.");
                    }

                    continue;
                }

                if (actual is null)
                {
                    continue; // every value is null: the bound carries no information.
                }

                if (StatsValue.Check(leaf.Type, value, actual, isMax, tight) is { } problem)
                {
                    violations.Add($"{where}: stats.{bound}.{leaf.Column} is {DeltaSchema.Shorten(value.GetRawText())}, but {problem}.");
                }
            }
        }
    }

    private static void AddLeaves(List<Leaf> leaves, string[] keys, string column, string type, string? expression, Func<DeltaField, string> physicalName)
    {
        if (type.StartsWith('{'))
        {
            using var document = JsonDocument.Parse(type);
            if (document.RootElement.TryGetProperty("type", out var kind) && kind.GetString() == "struct")
            {
                foreach (var field in DeltaSchema.Fields(document.RootElement, column))
                {
                    var name = physicalName(field);
                    AddLeaves(leaves, [.. keys, name], $"{column}.{field.Name}", field.Type,
                        expression is null ? null : $"{expression}.{DuckDbSql.Quote(name)}", physicalName);
                }

                return;
            }
        }

        leaves.Add(new Leaf(keys, column, type, expression));
    }

    private static JsonElement? Find(JsonElement? root, string[] keys)
    {
        var current = root;
        foreach (var key in keys)
        {
            if (current is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(key, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    private static void CheckKeys(
        JsonElement? values, IReadOnlyList<DeltaField> fields, Func<DeltaField, string> physicalName, string name, string where, List<string> violations)
    {
        if (values is not { ValueKind: JsonValueKind.Object } obj)
        {
            return;
        }

        var known = fields.Select(physicalName).ToHashSet(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            violations.Add($"{where}: stats.{name} names '{property.Name}', which is not a column of the table.");
        }
    }
}

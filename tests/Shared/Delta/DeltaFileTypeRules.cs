using DuckDB.NET.Data;

namespace Tributary.Testing;

/// <summary>
/// Checks that a data file's columns have the types of the table schema (PROTOCOL.md "Consistency Between Table Metadata
/// and Data Files", "Delta Data Type to Parquet Type Mappings"): each primitive column the file holds reads in DuckDB as the
/// DuckDB type of its Delta type; a timestamp is adjusted to UTC and a timestamp_ntz is not (INT96, which cannot say, is
/// accepted for both).
/// </summary>
internal static class DeltaFileTypeRules
{
    /// <summary>Checks <paramref name="file"/>'s column types against <paramref name="fields"/> and adds a message per mismatch.</summary>
    public static async Task CheckAsync(
        DuckDBConnection connection, string file, IReadOnlyList<DeltaField> fields, Func<DeltaField, string> physicalName, string where,
        List<string> violations, CancellationToken cancellationToken)
    {
        var actual = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        await using (var describe = connection.CreateCommand())
        {
            describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet({DuckDbSql.Literal(file)}, hive_partitioning = false)";
            await using var reader = await describe.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                actual[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var int96 = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using (var schema = connection.CreateCommand())
        {
            schema.CommandText = $"SELECT name FROM parquet_schema({DuckDbSql.Literal(file)}) WHERE type = 'INT96'";
            await using var reader = await schema.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                int96.Add(reader.GetString(0));
            }
        }

        foreach (var field in fields.Where(f => !f.Type.StartsWith('{')))
        {
            var name = physicalName(field);
            if (!actual.TryGetValue(name, out var type))
            {
                continue; // a column the file lacks reads as NULL.
            }

            string expected;
            try
            {
                expected = DuckDbSql.TypeOf(field.Type);
            }
            catch (NotSupportedException)
            {
                continue;
            }

            if (!Matches(field.Type, expected, type, int96.Contains(name)))
            {
                violations.Add($"{where}: the column '{field.Name}' is {field.Type} in the schema, but the file holds it as {type} (a {field.Type} reads as {expected}).");
            }
        }
    }

    private static bool Matches(string deltaType, string expected, string actual, bool isInt96) => deltaType switch
    {
        "timestamp" => actual is "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" || (isInt96 && actual == "TIMESTAMP"),
        "timestamp_ntz" => actual is "TIMESTAMP" or "TIMESTAMP_MS" or "TIMESTAMP_NS" or "TIMESTAMP_S",
        "string" => actual is "VARCHAR" or "JSON",
        _ => string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase),
    };
}

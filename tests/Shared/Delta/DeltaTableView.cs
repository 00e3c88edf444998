using DuckDB.NET.Data;

namespace Tributary.Testing;

/// <summary>
/// The DuckDB query that reads a Delta snapshot as a table: the schema's columns in order, each cast to the DuckDB type of
/// its Delta type, from <c>read_parquet</c> over the active files with <c>union_by_name</c> (a column no file has reads
/// NULL); partition columns from each file's <c>partitionValues</c>; physical names under column mapping.
/// </summary>
internal static class DeltaTableView
{
    private const string FileColumn = "__delta_file";

    /// <summary>The SELECT that reads <paramref name="snapshot"/>; <paramref name="table"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">An active file does not exist.</exception>
    /// <exception cref="NotSupportedException">The table uses deletion vectors.</exception>
    public static async Task<string> SelectAsync(DuckDBConnection connection, DeltaSnapshot snapshot, string table, CancellationToken cancellationToken)
    {
        var metadata = snapshot.Metadata;
        if (snapshot.Files.FirstOrDefault(f => f.DeletionVectorId is not null) is { } withDv)
        {
            throw new NotSupportedException($"Table {table}: the file {withDv.Path} has a deletion vector, which this reader does not apply.");
        }

        if (snapshot.Files.FirstOrDefault(f => !File.Exists(f.FullPath)) is { } missing)
        {
            throw new InvalidDataException($"Table {table}: the active file {missing.Path} (version {missing.Version}) does not exist at {missing.FullPath}.");
        }

        var mapped = metadata.Configuration.TryGetValue("delta.columnMapping.mode", out var mode) && mode is "name" or "id";
        string Physical(DeltaField field) =>
            mapped && field.Metadata.TryGetValue("delta.columnMapping.physicalName", out var name) ? name.GetString()! : field.Name;
        var partitions = metadata.PartitionColumns.ToList();

        // Under column mapping, partitionValues are keyed by physical names.
        var partitionKeys = partitions.Select(p => metadata.Fields.FirstOrDefault(f => string.Equals(f.Name, p, StringComparison.OrdinalIgnoreCase)) is { } f
            ? Physical(f) : p).ToList();
        if (snapshot.Files.Count == 0)
        {
            return "SELECT " + string.Join(", ", metadata.Fields.Select(f => $"CAST(NULL AS {DuckDbSql.TypeOf(f.Type)}) AS {DuckDbSql.Quote(f.Name)}")) + " LIMIT 0";
        }

        var source = $"read_parquet([{string.Join(", ", snapshot.Files.Select(f => DuckDbSql.Literal(f.FullPath)))}], union_by_name = true" +
            (partitions.Count > 0 ? $", filename = {DuckDbSql.Literal(FileColumn)})" : ")");
        var present = new HashSet<string>(await DuckDbSql.ColumnNamesAsync(connection, "SELECT * FROM " + source, cancellationToken), StringComparer.OrdinalIgnoreCase);
        var columns = metadata.Fields.Select(field =>
        {
            var type = DuckDbSql.TypeOf(field.Type);
            var partition = partitions.FindIndex(p => string.Equals(p, field.Name, StringComparison.OrdinalIgnoreCase));
            var physical = Physical(field);
            var value = partition >= 0 ? $"p.{DuckDbSql.Quote("v" + partition)}"
                : present.Contains(physical) ? $"d.{DuckDbSql.Quote(physical)}"
                : "NULL";
            return $"CAST({value} AS {type}) AS {DuckDbSql.Quote(field.Name)}";
        });
        var select = "SELECT " + string.Join(", ", columns) + " FROM " + source + " AS d";
        if (partitions.Count == 0)
        {
            return select;
        }

        // Each file's partition values, joined on the file name read_parquet reports.
        var rows = snapshot.Files.Select(f => "(" + DuckDbSql.Literal(f.FullPath) + ", " + string.Join(", ", partitionKeys.Select(p =>
            f.PartitionValues.TryGetValue(p, out var v) && !string.IsNullOrEmpty(v) ? DuckDbSql.Literal(v) : "NULL")) + ")");
        var names = string.Join(", ", [DuckDbSql.Quote("f"), .. partitions.Select((_, i) => DuckDbSql.Quote("v" + i))]);
        return $"{select} JOIN (VALUES {string.Join(", ", rows)}) AS p({names}) ON d.{DuckDbSql.Quote(FileColumn)} = p.\"f\"";
    }
}

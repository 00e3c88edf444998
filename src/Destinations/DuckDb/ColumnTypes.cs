using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb;

/// <summary>Reads a column's Tributary type back from its comment and its DuckDB type.</summary>
internal static class ColumnTypes
{
    /// <summary>
    /// The column's type: the Tributary type name in its comment when that name is valid and matches the physical
    /// type (so JSON and XML survive in VARCHAR columns), otherwise the type the physical type maps to.
    /// </summary>
    public static ColumnType Resolve(string physical, string? comment)
    {
        var fromPhysical = FromPhysical(physical);
        if (ColumnType.TryParse(comment, out var declared) && Sql.TypeOf(declared) == Sql.TypeOf(fromPhysical))
        {
            return declared;
        }

        return fromPhysical;
    }

    /// <summary>The Tributary type of a DuckDB type as <c>duckdb_columns()</c> spells it; unknown types read as STRING.</summary>
    public static ColumnType FromPhysical(string physical)
    {
        physical = physical.Trim().ToUpperInvariant();
        if (physical.StartsWith("DECIMAL(", StringComparison.Ordinal) && ColumnType.TryParse(physical, out var decimalType))
        {
            return decimalType;
        }

        return physical switch
        {
            "BOOLEAN" => ColumnType.Boolean,
            "TINYINT" or "SMALLINT" or "UTINYINT" => ColumnType.Short,
            "INTEGER" or "USMALLINT" => ColumnType.Int,
            "BIGINT" or "UINTEGER" => ColumnType.Long,
            "FLOAT" => ColumnType.Float,
            "DOUBLE" => ColumnType.Double,
            "DATE" => ColumnType.NaiveDate,
            "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" => ColumnType.NaiveDateTime,
            "TIMESTAMP WITH TIME ZONE" => ColumnType.UtcDateTime,
            "BLOB" => ColumnType.Binary,
            "JSON" => ColumnType.Json,
            _ => ColumnType.String,
        };
    }
}

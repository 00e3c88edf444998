using Tributary.Sdk;

namespace Tributary.Destinations.Postgres;

/// <summary>Reads a column's Tributary type back from its comment and its PostgreSQL type.</summary>
internal static class ColumnTypes
{
    /// <summary>
    /// The column's type: the Tributary type name in its comment when that name is valid and matches the physical
    /// type (so XML survives in a text column), otherwise the type the physical type maps to.
    /// </summary>
    /// <param name="physical">The type as <c>format_type</c> spells it: <c>integer</c>, <c>numeric(15,2)</c>.</param>
    /// <param name="comment">The column's comment, if any.</param>
    public static ColumnType Resolve(string physical, string? comment)
    {
        var fromPhysical = FromPhysical(physical);
        if (ColumnType.TryParse(comment, out var declared) && Sql.TypeOf(declared) == Sql.TypeOf(fromPhysical))
        {
            return declared;
        }

        return fromPhysical;
    }

    /// <summary>
    /// The Tributary type of a PostgreSQL type as <c>format_type</c> spells it. A numeric without a precision reads as
    /// DECIMAL(38,10); <c>json</c> as JSON; every other type (varchar, uuid, xml, …) as STRING.
    /// </summary>
    public static ColumnType FromPhysical(string physical)
    {
        physical = physical.Trim().ToLowerInvariant();
        if (physical.StartsWith("numeric(", StringComparison.Ordinal) && ColumnType.TryParse("DECIMAL" + physical["numeric".Length..], out var decimalType))
        {
            return decimalType;
        }

        if (physical.StartsWith("timestamp", StringComparison.Ordinal))
        {
            return physical.EndsWith("with time zone", StringComparison.Ordinal) && !physical.EndsWith("without time zone", StringComparison.Ordinal)
                ? ColumnType.UtcDateTime
                : ColumnType.NaiveDateTime;
        }

        return physical switch
        {
            "boolean" => ColumnType.Boolean,
            "smallint" => ColumnType.Short,
            "integer" => ColumnType.Int,
            "bigint" => ColumnType.Long,
            "numeric" => ColumnType.Decimal(ColumnType.MaxPrecision, 10),
            "real" => ColumnType.Float,
            "double precision" => ColumnType.Double,
            "date" => ColumnType.NaiveDate,
            "bytea" => ColumnType.Binary,
            "jsonb" or "json" => ColumnType.Json,
            _ => ColumnType.String,
        };
    }
}

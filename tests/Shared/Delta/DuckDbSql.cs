using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Tributary.Testing;

/// <summary>DuckDB helpers of the Delta reader and validator: an in-memory connection in UTC, quoting, and Delta type names in DuckDB.</summary>
internal static partial class DuckDbSql
{
    /// <summary>An open in-memory DuckDB connection whose session time zone is UTC.</summary>
    public static async Task<DuckDBConnection> OpenInMemoryAsync(CancellationToken cancellationToken)
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var zone = connection.CreateCommand();
            zone.CommandText = "SET TimeZone = 'UTC'";
            await zone.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The column names a query returns, in order.</summary>
    public static async Task<IReadOnlyList<string>> ColumnNamesAsync(DuckDBConnection connection, string query, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "DESCRIBE " + query;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>Runs a statement.</summary>
    public static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A quoted identifier.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// The DuckDB type of a Delta type: a primitive name (PROTOCOL.md "Primitive Types"), or a struct, array or map type's JSON.
    /// </summary>
    /// <exception cref="NotSupportedException">The type has no DuckDB counterpart here (<c>void</c>, <c>variant</c>, an unknown name).</exception>
    public static string TypeOf(string deltaType)
    {
        if (deltaType.StartsWith('{'))
        {
            using var document = JsonDocument.Parse(deltaType);
            return TypeOf(document.RootElement);
        }

        if (Decimal().Match(deltaType) is { Success: true } decimalType)
        {
            return $"DECIMAL({decimalType.Groups[1].Value},{decimalType.Groups[2].Value})";
        }

        return deltaType switch
        {
            "boolean" => "BOOLEAN",
            "byte" => "TINYINT",
            "short" => "SMALLINT",
            "integer" => "INTEGER",
            "long" => "BIGINT",
            "float" => "FLOAT",
            "double" => "DOUBLE",
            "decimal" => "DECIMAL(10,0)",
            "date" => "DATE",
            "timestamp" => "TIMESTAMPTZ",
            "timestamp_ntz" => "TIMESTAMP",
            "binary" => "BLOB",
            "string" => "VARCHAR",
            _ => throw new NotSupportedException($"The Delta type '{deltaType}' has no DuckDB type in this reader."),
        };
    }

    private static string TypeOf(JsonElement type)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            return TypeOf(type.GetString()!);
        }

        var kind = type.TryGetProperty("type", out var k) ? k.GetString() : null;
        return kind switch
        {
            "struct" => "STRUCT(" + string.Join(", ", type.GetProperty("fields").EnumerateArray()
                .Select(f => Quote(f.GetProperty("name").GetString()!) + " " + TypeOf(f.GetProperty("type")))) + ")",
            "array" => TypeOf(type.GetProperty("elementType")) + "[]",
            "map" => $"MAP({TypeOf(type.GetProperty("keyType"))}, {TypeOf(type.GetProperty("valueType"))})",
            _ => throw new NotSupportedException($"The Delta type {DeltaSchema.Shorten(type.GetRawText())} has no DuckDB type in this reader."),
        };
    }

    [GeneratedRegex(@"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")]
    private static partial Regex Decimal();
}

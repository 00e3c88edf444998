using System.Data.Common;
using System.Net.Sockets;
using Npgsql;
using Tributary.Sdk;

namespace Tributary.Connectors.Relational;

/// <summary>PostgreSQL and Redshift (which speaks PostgreSQL's protocol): double-quoted identifiers, <c>LIMIT</c>.</summary>
internal sealed class PostgreSqlDialect(string name = "PostgreSQL") : SqlDialect
{
    /// <summary>The dialect for a PostgreSQL server.</summary>
    public static PostgreSqlDialect PostgreSql { get; } = new();

    /// <summary>The dialect for Amazon Redshift: the same SQL, named Redshift in messages.</summary>
    public static PostgreSqlDialect Redshift { get; } = new("Redshift");

    /// <inheritdoc />
    public override string Name => name;

    /// <inheritdoc />
    public override string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <inheritdoc />
    protected override string Page(string table, string? where, string orderBy, int limit) =>
        "SELECT * FROM " + table + (where is null ? "" : " WHERE " + where) + " ORDER BY " + orderBy + " LIMIT " + limit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override Exception OpenFailed(Exception error, string target) => error switch
    {
        // 28P01 invalid_password, 28000 invalid_authorization_specification (no pg_hba entry, unknown user),
        // 3D000 invalid_catalog_name (no such database).
        PostgresException { SqlState: "28P01" or "28000" } pg => new ConfigurationException(
            $"{Name} refused the sign-in to {target}: {pg.MessageText} ({pg.SqlState}). Check the user and the 'password' secret.", error),
        PostgresException { SqlState: "3D000" } pg => new ConfigurationException(
            $"{Name} has no such database at {target}: {pg.MessageText} ({pg.SqlState}). Check 'database'.", error),
        NpgsqlException { InnerException: SocketException or TimeoutException } or NpgsqlException { IsTransient: true } => new SourceUnavailableException(
            $"{Name} at {target} could not be reached: {error.Message}", error),
        _ => new SourceUnavailableException($"Could not connect to {Name} at {target}: {error.Message}", error),
    };

    /// <inheritdoc />
    public override bool IsUndefinedObject(DbException error) =>
        error is PostgresException { SqlState: "42P01" or "42703" or "3F000" };
}

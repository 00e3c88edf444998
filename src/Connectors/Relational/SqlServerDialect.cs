using System.Data.Common;
using System.Globalization;
using Microsoft.Data.SqlClient;
using Tributary.Sdk;

namespace Tributary.Connectors.Relational;

/// <summary>SQL Server and Azure SQL: bracketed identifiers, <c>TOP (n)</c>.</summary>
internal sealed class SqlServerDialect : SqlDialect
{
    /// <summary>The one instance; the dialect holds no state.</summary>
    public static SqlServerDialect Instance { get; } = new();

    /// <summary>Login failed (18456), cannot open the database requested by the login (4060), password expired (18487, 18488).</summary>
    private static readonly int[] RefusedLogins = [18456, 4060, 18487, 18488];

    /// <summary>Invalid object name (208), invalid column name (207).</summary>
    private static readonly int[] UndefinedObjects = [208, 207];

    private SqlServerDialect()
    {
    }

    /// <inheritdoc />
    public override string Name => "SQL Server";

    /// <inheritdoc />
    public override string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        return "[" + identifier.Replace("]", "]]", StringComparison.Ordinal) + "]";
    }

    /// <inheritdoc />
    protected override string Page(string table, string? where, string orderBy, int limit) =>
        "SELECT TOP (" + limit.ToString(CultureInfo.InvariantCulture) + ") * FROM " + table + (where is null ? "" : " WHERE " + where) + " ORDER BY " + orderBy;

    /// <inheritdoc />
    /// <remarks>SqlClient sends a <see cref="DateTime"/> as <c>datetime</c> (3 ms steps) unless told otherwise; compared with a
    /// <c>datetime2</c> column it would round the bookmark and re-read or skip rows. <c>datetime2</c> holds any value of
    /// either column type exactly.</remarks>
    public override void Bind(DbParameter parameter, object value)
    {
        base.Bind(parameter, value);
        if (value is DateTime)
        {
            parameter.DbType = System.Data.DbType.DateTime2;
        }
    }

    /// <inheritdoc />
    public override Exception OpenFailed(Exception error, string target) => error switch
    {
        SqlException sql when IsRefusedLogin(sql.Number) => new ConfigurationException(
            $"SQL Server refused the sign-in to {target}: {sql.Message} (error {sql.Number}). Check the user, the database and the 'password' secret.", error),
        // SqlClient maps collations to encodings through ICU and refuses to open a connection without it.
        NotSupportedException or System.Globalization.CultureNotFoundException when InvariantGlobalization => new ConfigurationException(
            $"Cannot connect to SQL Server at {target}: Microsoft.Data.SqlClient does not run in .NET's globalization-invariant mode, " +
            "which this process has on. Build the host with <InvariantGlobalization>false</InvariantGlobalization> (or set " +
            "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false) and install ICU (libicu).", error),
        _ => new SourceUnavailableException($"Could not connect to SQL Server at {target}: {error.Message}", error),
    };

    /// <summary>True when the process runs in .NET's globalization-invariant mode, where SqlClient cannot open a connection.</summary>
    public static bool InvariantGlobalization =>
        AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) ? invariant
            : Environment.GetEnvironmentVariable("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT") is "1" or "true";

    /// <summary>True for the error numbers that mean the server refused the login or the database.</summary>
    public static bool IsRefusedLogin(int number) => RefusedLogins.Contains(number);

    /// <inheritdoc />
    public override bool IsUndefinedObject(DbException error) => error is SqlException sql && UndefinedObjects.Contains(sql.Number);
}

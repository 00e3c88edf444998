using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Tributary.Connectors.Relational;

/// <summary>
/// What differs between the SQL sources the incremental reader serves: how an identifier is quoted, how a page of rows is
/// asked for, and what a failure to connect means. Everything else — the keyset predicate, parameters, state — is shared.
/// </summary>
internal abstract class SqlDialect
{
    /// <summary>The product's name for messages, for example <c>PostgreSQL</c>.</summary>
    public abstract string Name { get; }

    /// <summary>An identifier quoted for this dialect, with its quote character doubled inside.</summary>
    public abstract string Quote(string identifier);

    /// <summary><c>schema.table</c>, each part quoted; the table alone when <paramref name="schema"/> is empty.</summary>
    public string Qualify(string? schema, string table) =>
        string.IsNullOrEmpty(schema) ? Quote(table) : Quote(schema) + "." + Quote(table);

    /// <summary>
    /// The query for one page: at most <paramref name="limit"/> rows of <paramref name="table"/> in
    /// <paramref name="orderColumns"/> order, after the row whose values are the parameters <c>@k0</c>…<c>@kN</c> when
    /// <paramref name="afterBookmark"/> is set.
    /// </summary>
    /// <remarks>The predicate is the expanded form of a row comparison, <c>a &gt;= @k0 AND ((a &gt; @k0) OR (a = @k0 AND b &gt; @k1) …)</c>:
    /// SQL Server has no row-value comparison and Redshift's planner handles the expanded form, so one form serves all.
    /// The limit is an integer the connector validated, written as a literal (Redshift does not take LIMIT as a
    /// parameter); every value read from the source or the state is a parameter.</remarks>
    public string SelectPage(string table, IReadOnlyList<string> orderColumns, bool afterBookmark, int limit)
    {
        ArgumentNullException.ThrowIfNull(orderColumns);
        ArgumentOutOfRangeException.ThrowIfLessThan(orderColumns.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var where = afterBookmark ? KeysetPredicate(orderColumns) : null;
        var orderBy = string.Join(", ", orderColumns.Select(Quote));
        return Page(table, where, orderBy, limit);
    }

    /// <summary>The SELECT for one page, given the quoted table, the predicate (or null), the ORDER BY list and the limit.</summary>
    protected abstract string Page(string table, string? where, string orderBy, int limit);

    /// <summary>A query that returns no row but the table's columns and their types.</summary>
    public static string SelectNoRows(string table) => "SELECT * FROM " + table + " WHERE 1 = 0";

    /// <summary>The parameter name of the <paramref name="index"/>-th bookmark value.</summary>
    public static string ParameterName(int index) => "@k" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The exception a failure to open a connection becomes: a <see cref="Sdk.ConfigurationException"/> when the server
    /// refused the credentials or the database (retrying cannot help), a <see cref="Sdk.SourceUnavailableException"/>
    /// otherwise. <paramref name="target"/> names the connection (host, port, database, user), never the password.
    /// </summary>
    public abstract Exception OpenFailed(Exception error, string target);

    /// <summary>Sets a bookmark value on a parameter; a dialect overrides it where the driver's inferred type would not
    /// compare exactly with the column.</summary>
    public virtual void Bind(DbParameter parameter, object value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.Value = value;
    }

    /// <summary>Opens <paramref name="connection"/>, turning a failure into <see cref="OpenFailed"/>'s exception.</summary>
    public async Task OpenAsync(DbConnection connection, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException or NotSupportedException)
        {
            throw OpenFailed(ex, target);
        }
    }

    /// <summary>True when <paramref name="error"/> says the table or a column does not exist.</summary>
    public abstract bool IsUndefinedObject(DbException error);

    private string KeysetPredicate(IReadOnlyList<string> columns)
    {
        // The leading "first >= @k0" adds nothing logically; it gives the planner a range on the first column's index.
        var predicate = new StringBuilder();
        predicate.Append(Quote(columns[0])).Append(" >= ").Append(ParameterName(0)).Append(" AND (");
        for (var last = 0; last < columns.Count; last++)
        {
            if (last > 0)
            {
                predicate.Append(" OR ");
            }

            predicate.Append('(');
            for (var equal = 0; equal < last; equal++)
            {
                predicate.Append(Quote(columns[equal])).Append(" = ").Append(ParameterName(equal)).Append(" AND ");
            }

            predicate.Append(Quote(columns[last])).Append(" > ").Append(ParameterName(last)).Append(')');
        }

        return predicate.Append(')').ToString();
    }
}

using Microsoft.Data.SqlClient;
using Tributary.Connectors.Relational;
using Xunit;

namespace Tributary.Connectors.Tests.Relational;

/// <summary>The SQL each dialect writes, as text: SQL Server's cannot run here, PostgreSQL's also runs in the example tests.</summary>
public sealed class SqlDialectTests
{
    private static readonly string[] Order = ["updated_at", "tenant id", "id"];

    [Fact]
    public void SelectPage_SqlServerAfterBookmark_TopBracketsAndTheExpandedKeysetPredicate()
    {
        var dialect = SqlServerDialect.Instance;

        var sql = dialect.SelectPage(dialect.Qualify("dbo", "employee_details"), Order, afterBookmark: true, limit: 100);

        Assert.Equal(
            "SELECT TOP (100) * FROM [dbo].[employee_details] WHERE [updated_at] >= @k0 AND (([updated_at] > @k0) OR ([updated_at] = @k0 AND [tenant id] > @k1) " +
            "OR ([updated_at] = @k0 AND [tenant id] = @k1 AND [id] > @k2)) ORDER BY [updated_at], [tenant id], [id]",
            sql);
    }

    [Fact]
    public void SelectPage_SqlServerFirstPage_NoPredicate()
    {
        var dialect = SqlServerDialect.Instance;

        var sql = dialect.SelectPage(dialect.Qualify(null, "employee_details"), ["updated_time", "employee_id"], afterBookmark: false, limit: 5);

        Assert.Equal("SELECT TOP (5) * FROM [employee_details] ORDER BY [updated_time], [employee_id]", sql);
    }

    [Fact]
    public void SelectPage_PostgreSqlAfterBookmark_LimitAndDoubleQuotes()
    {
        var dialect = PostgreSqlDialect.Redshift;

        var sql = dialect.SelectPage(dialect.Qualify("testers", "customers"), ["updated_at", "customer_id"], afterBookmark: true, limit: 2);

        Assert.Equal(
            "SELECT * FROM \"testers\".\"customers\" WHERE \"updated_at\" >= @k0 AND ((\"updated_at\" > @k0) OR (\"updated_at\" = @k0 AND \"customer_id\" > @k1)) " +
            "ORDER BY \"updated_at\", \"customer_id\" LIMIT 2",
            sql);
    }

    [Theory]
    [InlineData("plain", "[plain]", "\"plain\"")]
    [InlineData("we]ird", "[we]]ird]", "\"we]ird\"")]
    [InlineData("say \"hi\"", "[say \"hi\"]", "\"say \"\"hi\"\"\"")]
    [InlineData("x]; DROP TABLE t; --", "[x]]; DROP TABLE t; --]", "\"x]; DROP TABLE t; --\"")]
    public void Quote_IdentifierWithQuoteCharacters_DoublesThem(string identifier, string sqlServer, string postgreSql)
    {
        Assert.Equal(sqlServer, SqlServerDialect.Instance.Quote(identifier));
        Assert.Equal(postgreSql, PostgreSqlDialect.PostgreSql.Quote(identifier));
    }

    [Fact]
    public void SelectNoRows_SqlServer_ReturnsColumnsOnly()
    {
        var dialect = SqlServerDialect.Instance;

        Assert.Equal("SELECT * FROM [dbo].[employee_details] WHERE 1 = 0", SqlDialect.SelectNoRows(dialect.Qualify("dbo", "employee_details")));
    }

    [Fact]
    public void Bind_SqlServerDateTime_SentAsDatetime2()
    {
        using var command = new SqlCommand();
        var timestamp = command.CreateParameter();
        var id = command.CreateParameter();

        SqlServerDialect.Instance.Bind(timestamp, new DateTime(2025, 8, 1, 10, 0, 0).AddTicks(1234567));
        SqlServerDialect.Instance.Bind(id, 7);

        Assert.Equal(System.Data.SqlDbType.DateTime2, timestamp.SqlDbType);
        Assert.Equal(System.Data.SqlDbType.Int, id.SqlDbType);
    }

    [Theory]
    [InlineData(18456, true)]
    [InlineData(4060, true)]
    [InlineData(18488, true)]
    [InlineData(53, false)]
    [InlineData(-2, false)]
    public void IsRefusedLogin_SqlServerErrorNumber_OnlyLoginFailuresAreConfigurationErrors(int number, bool refused) =>
        Assert.Equal(refused, SqlServerDialect.IsRefusedLogin(number));
}

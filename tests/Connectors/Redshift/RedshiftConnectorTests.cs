using Tributary.Connectors.Redshift;
using Tributary.Connectors.Tests.Relational;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Redshift;

/// <summary>The original's <c>testers.customers</c> in a fresh PostgreSQL database per test (Redshift speaks its protocol;
/// the connector keeps to SQL Redshift accepts), read the way the original does: two rows a page, a checkpoint each page.</summary>
[Collection(PostgresSourceCollection.Name)]
public sealed class RedshiftConnectorTests(PostgresFixture fixture)
{
    private const string Name = "redshift";

    private const string SourceSql =
        """
        CREATE SCHEMA testers;
        CREATE TABLE testers.customers (
            customer_id integer PRIMARY KEY, first_name varchar, last_name varchar, email varchar, city varchar, state varchar,
            country varchar, updated_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP);
        INSERT INTO testers.customers VALUES
            (1, 'Mathew', 'Perry', 'mathew@fivetran.com', 'Oakland', 'CA', 'USA', '2023-12-31T23:59:59Z'),
            (2, 'Joe', 'Doe', 'joe@fivetran.com', 'Austin', 'TX', 'USA', '2024-01-31T23:04:39Z'),
            (3, 'Jake', 'Anderson', 'jake@fivetran.com', 'Denver', 'CO', 'USA', '2023-11-01T23:59:59Z'),
            (4, 'John', 'William', 'john@fivetran.com', 'Boston', 'MA', 'USA', '2024-02-14T22:59:59Z'),
            (5, 'Ricky', 'Roma', 'ricky@fivetran.com', 'Chicago', 'IL', 'USA', '2024-03-16T16:40:29Z');
        """;

    private const string ChangesSql =
        """
        UPDATE testers.customers SET city = 'Seattle', state = 'WA', updated_at = '2024-04-01T08:00:00Z' WHERE customer_id = 3;
        INSERT INTO testers.customers VALUES
            (6, 'Shelley', 'Levene', 'shelley@fivetran.com', 'Chicago', 'IL', 'USA', '2024-04-01T08:00:00Z'),
            (7, 'Dave', 'Moss', 'dave@fivetran.com', 'Chicago', 'IL', 'USA', '2024-04-01T08:00:00Z');
        """;

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalSync_ReadsPagesOfTwoAndThenOnlyTheChangedRows()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        using var queries = new QueryLog(source.Builder.Database!);

        var first = await harness.RunAsync(new RedshiftConnector(), configuration);

        RunAssert.Succeeded(first);
        Assert.Equal(5, first.Tables["customers"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        RunAssert.JsonEqual(
            """{"customers": {"replication_key": ["updated_at"], "bookmark": {"updated_at": "2024-03-16T16:40:29.0000000Z", "customer_id": 5}}}""",
            await harness.ReadStateAsync());
        Assert.Equal(
            new Dictionary<string, string> { ["customer_id"] = "integer", ["updated_at"] = "timestamp with time zone" },
            (await harness.ColumnTypesAsync("customers")).Where(c => c.Key is "customer_id" or "updated_at").ToDictionary());

        // The columns, then three pages of at most two rows, each after the last row read.
        Assert.Equal(4, queries.Queries.Count);
        Assert.Equal("SELECT * FROM \"testers\".\"customers\" WHERE 1 = 0", queries.Queries[0]);
        Assert.Equal("SELECT * FROM \"testers\".\"customers\" ORDER BY \"updated_at\", \"customer_id\" LIMIT 2", queries.Queries[1]);
        Assert.All(queries.Queries.Skip(2), q => Assert.Contains("WHERE \"updated_at\" >= @k0 AND ((\"updated_at\" > @k0) OR (\"updated_at\" = @k0 AND \"customer_id\" > @k1))", q, StringComparison.Ordinal));

        // One update and two inserts, all three at one updated_at, after the bookmark: the tie spans the page boundary.
        await source.ExecuteAsync(ChangesSql, harness.CancellationToken);
        queries.Clear();
        var second = await harness.RunAsync(new RedshiftConnector(), configuration);

        RunAssert.Succeeded(second);
        Assert.Equal(3, second.Tables["customers"].Upserts);
        Assert.Equal(3, queries.Queries.Count);
        Assert.All(queries.Queries.Skip(1), q => Assert.EndsWith("ORDER BY \"updated_at\", \"customer_id\" LIMIT 2", q, StringComparison.Ordinal));
        Assert.All(queries.Queries.Skip(1), q => Assert.Contains("WHERE \"updated_at\" >= @k0", q, StringComparison.Ordinal));
        var customers = await harness.RowsAsync("customers", "customer_id");
        Assert.Equal(["1", "2", "3/Seattle", "4", "5", "6", "7"], customers.Select(r => $"{r["customer_id"]}" + (r["customer_id"] is 3 ? $"/{r["city"]}" : "")));
        RunAssert.JsonEqual(
            """{"customers": {"replication_key": ["updated_at"], "bookmark": {"updated_at": "2024-04-01T08:00:00.0000000Z", "customer_id": 7}}}""",
            await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_WrongPassword_FailsNamingTheClusterAndKeepsTheState()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        RunAssert.Succeeded(await harness.RunAsync(new RedshiftConnector(), configuration));
        var before = await harness.ReadStateAsync();
        await harness.SetSecretAsync("password", "wrong");

        var run = await harness.RunAsync(new RedshiftConnector(), configuration);

        RunAssert.Failed(run, $"Redshift refused the sign-in to postgres@127.0.0.1:{source.Builder.Port}/{source.Builder.Database}");
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_KilledMidPageThenRerun_ConvergesToTheTablesOfACleanSync()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        await using var clean = new ConnectorHarness(Name);
        await clean.SetSecretAsync("password", source.Password);

        var killed = await harness.RunAsync(new RedshiftConnector(), configuration, killAfterOperations: 3);
        var rerun = await harness.RunAsync(new RedshiftConnector(), configuration);
        var reference = await clean.RunAsync(new RedshiftConnector(), configuration);

        RunAssert.Failed(killed, "killed after 3 operations");
        RunAssert.Succeeded(rerun);
        RunAssert.Succeeded(reference);
        // Checkpointed after rows 2 and 4 in order of updated_at: the rerun starts after the second.
        Assert.Equal(3, rerun.Tables["customers"].Upserts);
        Assert.Equal(await clean.ContentsAsync("customers", "customer_id"), await harness.ContentsAsync("customers", "customer_id"));
        Assert.Equal((await clean.ReadStateAsync()).ToJsonString(), (await harness.ReadStateAsync()).ToJsonString());
    }

    [Fact]
    public async Task UpdateAsync_AnySync_KeepsThePasswordOutOfLogsRunRecordsAndState()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        var first = await harness.RunAsync(new RedshiftConnector(), configuration);
        await source.ExecuteAsync(ChangesSql, harness.CancellationToken);
        var second = await harness.RunAsync(new RedshiftConnector(), configuration);

        RunAssert.Succeeded(first);
        RunAssert.Succeeded(second);
        await RunAssert.SecretKeptOutAsync(harness, source.Password, first, second);
    }

    private async Task<(PostgresSource Source, Dictionary<string, string> Configuration)> SourceAsync(ConnectorHarness harness)
    {
        var source = await PostgresSource.CreateAsync(fixture, harness.CancellationToken);
        await source.ExecuteAsync(SourceSql, harness.CancellationToken);
        await harness.SetSecretAsync("password", source.Password);
        return (source, source.Configuration("Redshift", ("batch_size", "2"), ("checkpoint_interval", "2")));
    }
}

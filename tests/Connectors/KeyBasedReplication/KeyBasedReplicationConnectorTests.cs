using Tributary.Connectors.KeyBasedReplication;
using Tributary.Connectors.Tests.Relational;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.KeyBasedReplication;

/// <summary>The original's <c>customers</c> (its five rows) and an <c>order_lines</c> table with a composite key and its own
/// replication key, in a fresh PostgreSQL database per test.</summary>
[Collection(PostgresSourceCollection.Name)]
public sealed class KeyBasedReplicationConnectorTests(PostgresFixture fixture)
{
    private const string Name = "key_based_replication";
    private const string Tables = "customers(customer_id) by updated_at; order_lines(order_id, line_no) by modified_at";

    private const string SourceSql =
        """
        CREATE TABLE customers (
            customer_id int PRIMARY KEY, first_name varchar, last_name varchar, email varchar,
            updated_at timestamptz NOT NULL DEFAULT now(), is_deleted boolean NOT NULL DEFAULT false);
        INSERT INTO customers (customer_id, first_name, last_name, email, updated_at) VALUES
            (1, 'Mathew', 'Perry', 'mathew@fivetran.com', '2023-12-31T23:59:59Z'),
            (2, 'Joe', 'Doe', 'joe@fivetran.com', '2024-01-31T23:04:39Z'),
            (3, 'Jake', 'Anderson', 'jake@fivetran.com', '2023-11-01T23:59:59Z'),
            (4, 'John', 'William', 'john@fivetran.com', '2024-02-14T22:59:59Z'),
            (5, 'Ricky', 'Roma', 'ricky@fivetran.com', '2024-03-16T16:40:29Z');
        CREATE TABLE order_lines (
            order_id int NOT NULL, line_no int NOT NULL, sku text, quantity int, modified_at timestamp NOT NULL,
            PRIMARY KEY (order_id, line_no));
        INSERT INTO order_lines VALUES
            (1, 1, 'A-1', 2, '2024-03-01 10:00'), (1, 2, 'B-7', 1, '2024-03-01 10:00'),
            (2, 1, 'A-1', 5, '2024-03-02 11:30'), (2, 2, 'C-3', 1, '2024-03-02 11:30');
        """;

    /// <summary>An update, a soft delete (the application flags the row and bumps updated_at) and an insert per table.</summary>
    private const string ChangesSql =
        """
        UPDATE customers SET email = 'joe.doe@fivetran.com', updated_at = '2024-04-01T08:00:00Z' WHERE customer_id = 2;
        UPDATE customers SET is_deleted = true, updated_at = '2024-04-01T08:00:00Z' WHERE customer_id = 4;
        INSERT INTO customers (customer_id, first_name, last_name, email, updated_at) VALUES (6, 'Shelley', 'Levene', 'shelley@fivetran.com', '2024-04-02T09:00:00Z');
        UPDATE order_lines SET quantity = 3, modified_at = '2024-04-01 09:00' WHERE order_id = 1 AND line_no = 2;
        INSERT INTO order_lines VALUES (3, 1, 'D-9', 1, '2024-04-01 09:00');
        """;

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalSync_ReadsOnlyChangedRowsPerTableAndSoftDeletes()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);

        var first = await harness.RunAsync(new KeyBasedReplicationConnector(), configuration);

        RunAssert.Succeeded(first);
        Assert.Equal((5, 4), (first.Tables["customers"].Upserts, first.Tables["order_lines"].Upserts));
        RunAssert.JsonEqual(
            """
            {"customers": {"replication_key": ["updated_at"], "bookmark": {"updated_at": "2024-03-16T16:40:29.0000000Z", "customer_id": 5}},
             "order_lines": {"replication_key": ["modified_at"], "bookmark": {"modified_at": "2024-03-02T11:30:00.0000000", "order_id": 2, "line_no": 2}}}
            """,
            await harness.ReadStateAsync());

        await source.ExecuteAsync(ChangesSql, harness.CancellationToken);
        var second = await harness.RunAsync(new KeyBasedReplicationConnector(), configuration);

        RunAssert.Succeeded(second);
        Assert.Equal((2, 1), (second.Tables["customers"].Upserts, second.Tables["customers"].Deletes));
        Assert.Equal(2, second.Tables["order_lines"].Upserts);
        var customers = await harness.RowsAsync("customers", "customer_id");
        Assert.Equal(
            ["1/False", "2/False/joe.doe@fivetran.com", "3/False", "4/True", "5/False", "6/False/shelley@fivetran.com"],
            customers.Select(r => $"{r["customer_id"]}/{r[RunAssert.Deleted]}" + (r["customer_id"] is 2 or 6 ? $"/{r["email"]}" : "")));
        var lines = await harness.RowsAsync("order_lines", "order_id, line_no");
        Assert.Equal(["1/1/2", "1/2/3", "2/1/5", "2/2/1", "3/1/1"], lines.Select(r => $"{r["order_id"]}/{r["line_no"]}/{r["quantity"]}"));
        RunAssert.JsonEqual(
            """
            {"customers": {"replication_key": ["updated_at"], "bookmark": {"updated_at": "2024-04-02T09:00:00.0000000Z", "customer_id": 6}},
             "order_lines": {"replication_key": ["modified_at"], "bookmark": {"modified_at": "2024-04-01T09:00:00.0000000", "order_id": 3, "line_no": 1}}}
            """,
            await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_WrongPassword_FailsNamingTheConnectionAndKeepsTheState()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        RunAssert.Succeeded(await harness.RunAsync(new KeyBasedReplicationConnector(), configuration));
        var before = await harness.ReadStateAsync();
        await harness.SetSecretAsync("password", "wrong");

        var run = await harness.RunAsync(new KeyBasedReplicationConnector(), configuration);

        RunAssert.Failed(run, $"PostgreSQL refused the sign-in to postgres@127.0.0.1:{source.Builder.Port}/{source.Builder.Database}");
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_KilledMidTableThenRerun_ConvergesToTheTablesOfACleanSync()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness, ("checkpoint_interval", "2"), ("batch_size", "3"));
        await using var clean = new ConnectorHarness(Name);
        await clean.SetSecretAsync("password", source.Password);

        // Dies at the 8th operation: customers' five rows and three of order_lines' four.
        var killed = await harness.RunAsync(new KeyBasedReplicationConnector(), configuration, killAfterOperations: 7);
        RunAssert.Failed(killed, "killed after 7 operations");
        var rerun = await harness.RunAsync(new KeyBasedReplicationConnector(), configuration);
        var reference = await clean.RunAsync(new KeyBasedReplicationConnector(), configuration);

        RunAssert.Succeeded(rerun);
        RunAssert.Succeeded(reference);
        // The rerun starts at the last checkpoint (after order_lines' 2nd row), not at the start.
        Assert.Equal(0, rerun.Tables.GetValueOrDefault("customers")?.Upserts ?? 0);
        Assert.Equal(2, rerun.Tables["order_lines"].Upserts);
        foreach (var (table, order) in new[] { ("customers", "customer_id"), ("order_lines", "order_id, line_no") })
        {
            Assert.Equal(await clean.ContentsAsync(table, order), await harness.ContentsAsync(table, order));
        }

        Assert.Equal((await clean.ReadStateAsync()).ToJsonString(), (await harness.ReadStateAsync()).ToJsonString());
    }

    [Fact]
    public async Task UpdateAsync_AnySync_KeepsThePasswordOutOfLogsRunRecordsAndState()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        var first = await harness.RunAsync(new KeyBasedReplicationConnector(), configuration);
        await harness.SetSecretAsync("password", "wrong-" + source.Password);
        var refused = await harness.RunAsync(new KeyBasedReplicationConnector(), configuration);

        RunAssert.Succeeded(first);
        RunAssert.Failed(refused, "refused the sign-in");
        await RunAssert.SecretKeptOutAsync(harness, source.Password, first, refused);
    }

    [Fact]
    public void Schema_TablesSetting_DeclaresEachTablesCompositeKey()
    {
        var tables = new KeyBasedReplicationConnector().Schema(new Sdk.ConnectorConfiguration(new Dictionary<string, string> { ["tables"] = Tables })).ToList();

        Assert.Equal(["customers", "order_lines"], tables.Select(t => t.Name));
        Assert.Equal(["order_id", "line_no"], tables[1].PrimaryKey);
    }

    [Theory]
    [InlineData("customers", "is not 'table(primary key columns) by replication key columns'")]
    [InlineData("customers(customer_id) by updated_at; customers(id) by ts", "names table 'customers' twice")]
    public void Schema_MalformedTablesSetting_FailsNamingTheEntry(string tables, string expected)
    {
        var error = Assert.Throws<Sdk.ConfigurationException>(() =>
            new KeyBasedReplicationConnector().Schema(new Sdk.ConnectorConfiguration(new Dictionary<string, string> { ["tables"] = tables })).ToList());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private async Task<(PostgresSource Source, Dictionary<string, string> Configuration)> SourceAsync(ConnectorHarness harness, params (string, string)[] overrides)
    {
        var source = await PostgresSource.CreateAsync(fixture, harness.CancellationToken);
        await source.ExecuteAsync(SourceSql, harness.CancellationToken);
        await harness.SetSecretAsync("password", source.Password);
        return (source, source.Configuration("KeyBasedReplication", [("tables", Tables), .. overrides]));
    }
}

using Tributary.Connectors.Tests.Relational;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Connectors.UpdateAndDelete;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.UpdateAndDelete;

/// <summary>The originals' two tables and rows, with the README's deleted-rows trigger, in a fresh PostgreSQL database per test.</summary>
[Collection(PostgresSourceCollection.Name)]
public sealed class UpdateAndDeleteConnectorTests(PostgresFixture fixture)
{
    private const string Name = "update_and_delete";

    /// <summary>The README's source setup: the tables, the deleted-rows log and its trigger, and the originals' rows.</summary>
    internal const string SourceSql =
        """
        CREATE TABLE product_inventory (
            product_id int NOT NULL, warehouse_id int NOT NULL, quantity int, last_updated timestamp NOT NULL,
            PRIMARY KEY (product_id, warehouse_id));
        CREATE TABLE sample_table (
            id int NOT NULL, name varchar(255), department_id int NOT NULL, address varchar(255), updated_at timestamptz NOT NULL,
            PRIMARY KEY (id, department_id));
        CREATE TABLE deleted_rows (
            log_id bigserial PRIMARY KEY, table_name text NOT NULL, keys jsonb NOT NULL,
            deleted_at timestamptz NOT NULL DEFAULT clock_timestamp());
        CREATE FUNCTION log_deleted_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO deleted_rows (table_name, keys)
            SELECT TG_TABLE_NAME, jsonb_object_agg(key, value) FROM jsonb_each(to_jsonb(OLD)) WHERE key = ANY (TG_ARGV);
            RETURN OLD;
        END $$;
        CREATE TRIGGER product_inventory_deleted AFTER DELETE ON product_inventory
            FOR EACH ROW EXECUTE FUNCTION log_deleted_row('product_id', 'warehouse_id');
        CREATE TRIGGER sample_table_deleted AFTER DELETE ON sample_table
            FOR EACH ROW EXECUTE FUNCTION log_deleted_row('id', 'department_id');

        INSERT INTO product_inventory VALUES
            (101, 1, 50, '2024-03-01 00:00'), (101, 2, 30, '2024-03-01 00:00'), (102, 1, 20, '2024-03-01 00:00'),
            (102, 2, 15, '2024-03-01 00:00'), (103, 1, 10, '2024-03-01 00:00');
        INSERT INTO sample_table VALUES
            (1, 'John', 1, '123 Main St', '2024-03-01T09:00:00Z'), (1, 'John', 2, '123 Main St', '2024-03-01T09:00:00Z'),
            (2, 'Jane', 3, '456 Elm St', '2024-03-01T09:00:00Z'), (3, 'Alice', 3, '789 Oak St', '2024-03-01T09:00:00Z'),
            (3, 'Alice', 1, '789 Oak St', '2024-03-01T09:00:00Z'), (4, 'Bob', 3, '1012 Pine St', '2024-03-01T09:00:00Z');
        """;

    /// <summary>The originals' updates and deletes, done in the source as an application would, plus one new row.</summary>
    private const string ChangesSql =
        """
        UPDATE product_inventory SET quantity = 75, last_updated = '2025-03-16 00:00' WHERE product_id = 102 AND warehouse_id = 2;
        UPDATE product_inventory SET quantity = 100, last_updated = '2025-03-14 00:00' WHERE product_id = 101;
        INSERT INTO product_inventory VALUES (104, 1, 5, '2025-03-15 00:00');
        DELETE FROM sample_table WHERE id = 3 AND department_id = 1;
        DELETE FROM sample_table WHERE id = 1;
        """;

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalSync_ReplacesChangedRowsAndSoftDeletesDeletedOnes()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);

        var first = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);

        RunAssert.Succeeded(first);
        Assert.Equal(5, first.Tables["product_inventory"].Upserts);
        Assert.Equal(6, first.Tables["sample_table"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        var state = await harness.ReadStateAsync();
        RunAssert.JsonEqual(
            """
            {"deleted_rows": {"replication_key": ["deleted_at"], "bookmark": null},
             "product_inventory": {"replication_key": ["last_updated"], "bookmark": {"last_updated": "2024-03-01T00:00:00.0000000", "product_id": 103, "warehouse_id": 1}},
             "sample_table": {"replication_key": ["updated_at"], "bookmark": {"updated_at": "2024-03-01T09:00:00.0000000Z", "id": 4, "department_id": 3}}}
            """,
            state);

        await source.ExecuteAsync(ChangesSql, harness.CancellationToken);
        var second = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);

        RunAssert.Succeeded(second);
        // Only what changed is read: three updated rows and one new one, the three deleted keys from the log.
        Assert.Equal(4, second.Tables["product_inventory"].Upserts);
        Assert.Equal(3, second.Tables["sample_table"].Deletes);
        Assert.Equal(0, second.Tables["sample_table"].Upserts);
        var inventory = await harness.RowsAsync("product_inventory", "product_id, warehouse_id");
        Assert.Equal(
            ["101/1/100", "101/2/100", "102/1/20", "102/2/75", "103/1/10", "104/1/5"],
            inventory.Select(r => $"{r["product_id"]}/{r["warehouse_id"]}/{r["quantity"]}"));
        Assert.All(inventory, r => Assert.Equal(false, r[RunAssert.Deleted]));
        var people = await harness.RowsAsync("sample_table", "id, department_id");
        Assert.Equal(
            ["1/1/True", "1/2/True", "2/3/False", "3/1/True", "3/3/False", "4/3/False"],
            people.Select(r => $"{r["id"]}/{r["department_id"]}/{r[RunAssert.Deleted]}"));
        Assert.Equal(3L, (long)(await harness.ReadStateAsync())["deleted_rows"]!["bookmark"]!["log_id"]!);
    }

    [Fact]
    public async Task UpdateAsync_SixRowsSharingOneUpdatedAtKilledAfterACheckpointInsideTheTie_RerunReadsExactlyTheRest()
    {
        await using var harness = new ConnectorHarness(Name);
        var (_, configuration) = await SourceAsync(harness);
        // All six sample_table rows share one updated_at: pages of 2 and a checkpoint every 3 rows both fall inside the tie.
        configuration["batch_size"] = "2";
        configuration["checkpoint_interval"] = "3";

        // product_inventory's five rows, then sample_table's (1,1), (1,2), (2,3) and their checkpoint; the 9th operation dies.
        var killed = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration, killAfterOperations: 8);
        var rerun = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);

        RunAssert.Failed(killed, "killed after 8 operations");
        RunAssert.Succeeded(rerun);
        Assert.Equal(0, rerun.Tables.GetValueOrDefault("product_inventory")?.Upserts ?? 0);
        Assert.Equal(3, rerun.Tables["sample_table"].Upserts);
        Assert.Equal(
            ["1/1", "1/2", "2/3", "3/1", "3/3", "4/3"],
            (await harness.RowsAsync("sample_table", "id, department_id")).Select(r => $"{r["id"]}/{r["department_id"]}"));
    }

    [Fact]
    public async Task UpdateAsync_RowDeletedThenInsertedAgain_EndsLive()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        RunAssert.Succeeded(await harness.RunAsync(new UpdateAndDeleteConnector(), configuration));

        await source.ExecuteAsync(
            "DELETE FROM sample_table WHERE id = 2; INSERT INTO sample_table VALUES (2, 'Jane', 3, '1 New St', '2024-04-01T09:00:00Z')",
            harness.CancellationToken);
        var run = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);

        RunAssert.Succeeded(run);
        Assert.Equal((1, 1), (run.Tables["sample_table"].Deletes, run.Tables["sample_table"].Upserts));
        var jane = Assert.Single(await harness.QueryAsync($"SELECT * FROM {harness.Qualified("sample_table")} WHERE id = 2"));
        Assert.Equal(("1 New St", false), (jane["address"], jane[RunAssert.Deleted]));
    }

    [Fact]
    public async Task UpdateAsync_WrongPassword_FailsNamingTheConnectionAndKeepsTheState()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        RunAssert.Succeeded(await harness.RunAsync(new UpdateAndDeleteConnector(), configuration));
        var before = await harness.ReadStateAsync();
        await source.ExecuteAsync(ChangesSql, harness.CancellationToken);
        await harness.SetSecretAsync("password", "not-the-password");

        var run = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);

        RunAssert.Failed(run, $"PostgreSQL refused the sign-in to postgres@127.0.0.1:{source.Builder.Port}/{source.Builder.Database}");
        Assert.Contains("password authentication failed", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_IncrementalSyncKilledThenRerun_ConvergesToTheTablesOfACleanSync()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        configuration["checkpoint_interval"] = "2";
        await using var clean = new ConnectorHarness(Name);
        await clean.SetSecretAsync("password", source.Password);
        RunAssert.Succeeded(await harness.RunAsync(new UpdateAndDeleteConnector(), configuration));
        RunAssert.Succeeded(await clean.RunAsync(new UpdateAndDeleteConnector(), configuration));
        await source.ExecuteAsync(ChangesSql, harness.CancellationToken);

        // The three deletes go through (checkpoints after the 2nd and the 3rd), then one of four upserts; the 5th operation dies.
        var killed = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration, killAfterOperations: 4);
        var rerun = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);
        var reference = await clean.RunAsync(new UpdateAndDeleteConnector(), configuration);

        RunAssert.Failed(killed, "killed after 4 operations");
        RunAssert.Succeeded(rerun);
        RunAssert.Succeeded(reference);
        Assert.Equal(0, rerun.Tables.GetValueOrDefault("sample_table")?.Deletes ?? 0);
        Assert.Equal(4, rerun.Tables["product_inventory"].Upserts);
        foreach (var (table, order) in new[] { ("product_inventory", "product_id, warehouse_id"), ("sample_table", "id, department_id") })
        {
            Assert.Equal(
                await clean.ContentsAsync(table, order),
                await harness.ContentsAsync(table, order));
        }

        Assert.Equal((await clean.ReadStateAsync()).ToJsonString(), (await harness.ReadStateAsync()).ToJsonString());
    }

    [Fact]
    public async Task UpdateAsync_AnySync_KeepsThePasswordOutOfLogsRunRecordsAndState()
    {
        await using var harness = new ConnectorHarness(Name);
        var (source, configuration) = await SourceAsync(harness);
        var first = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);
        await source.ExecuteAsync(ChangesSql, harness.CancellationToken);
        var second = await harness.RunAsync(new UpdateAndDeleteConnector(), configuration);

        RunAssert.Succeeded(first);
        RunAssert.Succeeded(second);
        await RunAssert.SecretKeptOutAsync(harness, source.Password, first, second);
    }

    private async Task<(PostgresSource Source, Dictionary<string, string> Configuration)> SourceAsync(ConnectorHarness harness)
    {
        var source = await PostgresSource.CreateAsync(fixture, harness.CancellationToken);
        await source.ExecuteAsync(SourceSql, harness.CancellationToken);
        await harness.SetSecretAsync("password", source.Password);
        return (source, source.Configuration("UpdateAndDelete"));
    }
}

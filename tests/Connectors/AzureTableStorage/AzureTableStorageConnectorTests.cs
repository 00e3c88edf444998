using System.Text.Json.Nodes;
using Tributary.Connectors.AzureTableStorage;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.AzureTableStorage;

/// <summary>
/// Against Azurite's Table endpoint, which checks Shared Key and SAS signatures. Thirty orders in two partitions, read in
/// pages of 7 unless a test says otherwise. The connector's clock starts one second after the last seeded write, by the
/// service's clock (entity Timestamps are the service's); the overlap window is 0 so a test sees exactly what the
/// Timestamp filter selects.
/// </summary>
[Collection(AzuriteSourceCollection.Name)]
public sealed class AzureTableStorageConnectorTests(AzuriteFixture azurite)
{
    private const string WrongAccountKey = "bm90IHRoZSBrZXkgb2YgdGhpcyBhY2NvdW50LCBub3QgYXQgYWxsIGl0IGlzIG5vdA==";

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalThenFullRead_ReadsOnlyWhatChangedAndFindsDeletesAtTheFullRead()
    {
        var orders = await OrdersTable.CreateAsync(azurite.ConnectionString, 30);
        await using var harness = await HarnessAsync(orders, "connection_string", azurite.ConnectionString);
        var configuration = Configuration(orders, "connection_string");

        var first = await harness.RunAsync(new AzureTableStorageConnector(), configuration);

        RunAssert.Succeeded(first);
        Assert.Equal((30, 1), (first.Tables[orders.Name.ToLowerInvariant()].Upserts, first.Tables[orders.Name.ToLowerInvariant()].Truncates));
        Assert.Equal(5, first.Checkpoints);   // one per page of 7
        var latest = (await orders.TimestampsAsync()).Max();
        var expected = new JsonObject
        {
            ["tables"] = new JsonObject
            {
                [orders.Name] = new JsonObject
                {
                    ["watermark"] = OrdersTable.Format(latest),
                    ["last_full_read_at"] = OrdersTable.Format(harness.Time.GetUtcNow()),
                },
            },
        };
        RunAssert.JsonEqual(expected.ToJsonString(), await harness.ReadStateAsync());
        var rows = await harness.RowsAsync(orders.Name.ToLowerInvariant(), "partition_key, row_key");
        Assert.Equal(30, rows.Count);
        var third = rows.Single(r => (string)r["row_key"]! == "o-003");
        Assert.Equal(("south", "customer 3", 31.5, 3, 10_000_000_003L, true), ((string)third["partition_key"]!, (string)third["customer"]!,
            (double)third["amount"]!, Convert.ToInt32(third["quantity"], System.Globalization.CultureInfo.InvariantCulture),
            (long)third["total_cents"]!, (bool)third["shipped"]!));
        Assert.Equal(new byte[] { 7, 3 }, third["payload"]);
        Assert.Equal(new Guid(3, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]).ToString(), third["reference"]?.ToString());

        // Between syncs: one order changed, one added, one deleted.
        await orders.PutAsync(3, "customer 3, moved");
        await orders.PutAsync(31, "customer 31");
        await orders.DeleteAsync(5);
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new AzureTableStorageConnector(), configuration);

        // Only entities with Timestamp ge the watermark: the two written, and the last one of the first read (a tie).
        RunAssert.Succeeded(second);
        var selected = (await orders.TimestampsAsync()).Count(t => t >= latest);
        Assert.Equal(3, selected);
        Assert.Equal((selected, 0), (second.Tables[orders.Name.ToLowerInvariant()].Upserts, second.Tables[orders.Name.ToLowerInvariant()].Truncates));
        rows = await harness.RowsAsync(orders.Name.ToLowerInvariant(), "row_key");
        Assert.Equal(31, rows.Count);
        Assert.Equal("customer 3, moved", rows.Single(r => (string)r["row_key"]! == "o-003")["customer"]);
        // A Timestamp filter cannot see a delete: the deleted order is still live until the next full read.
        Assert.All(rows, r => Assert.False((bool)r[RunAssert.Deleted]!));

        harness.Time.Advance(TimeSpan.FromHours(24));
        var third_ = await harness.RunAsync(new AzureTableStorageConnector(), configuration);

        RunAssert.Succeeded(third_);
        Assert.Equal((30, 1), (third_.Tables[orders.Name.ToLowerInvariant()].Upserts, third_.Tables[orders.Name.ToLowerInvariant()].Truncates));
        rows = await harness.RowsAsync(orders.Name.ToLowerInvariant(), "row_key");
        Assert.Equal(["o-005"], rows.Where(r => (bool)r[RunAssert.Deleted]!).Select(r => (string)r["row_key"]!));
    }

    [Fact]
    public async Task UpdateAsync_KilledMidRead_ResumesFromTheCheckpointedContinuationTokenAndConverges()
    {
        var orders = await OrdersTable.CreateAsync(azurite.ConnectionString, 30);
        var key = OrdersTable.Setting(azurite.ConnectionString, "AccountKey");
        await using var harness = await HarnessAsync(orders, "account_key", key);
        await using var clean = await HarnessAsync(orders, "account_key", key);
        var configuration = Configuration(orders, "account_key", pageSize: 5);

        // The truncate and 12 upserts go through: pages 1 and 2 are checkpointed, page 3 is cut short.
        var killed = await harness.RunAsync(new AzureTableStorageConnector(), configuration, killAfterOperations: 13);

        RunAssert.Failed(killed, "killed");
        var read = (await harness.ReadStateAsync())["tables"]![orders.Name]!["read"]!;
        Assert.Equal(10L, (long)read["entities"]!);
        Assert.False(string.IsNullOrEmpty((string?)read["continuation"]));
        Assert.True((bool)read["full"]!);

        var rerun = await harness.RunAsync(new AzureTableStorageConnector(), configuration);

        RunAssert.Succeeded(rerun);
        // The rerun starts at page 3: twenty entities, no second truncate.
        Assert.Equal((20, 0), (rerun.Tables[orders.Name.ToLowerInvariant()].Upserts, rerun.Tables[orders.Name.ToLowerInvariant()].Truncates));
        RunAssert.Succeeded(await clean.RunAsync(new AzureTableStorageConnector(), configuration));
        Assert.Equal(await SnapshotAsync(clean, orders), await SnapshotAsync(harness, orders));
        Assert.Null((await harness.ReadStateAsync())["tables"]![orders.Name]!["read"]);
    }

    [Fact]
    public async Task UpdateAsync_WrongAccountKey_FailsNamingTheRefusedCredentialsAndKeepsTheState()
    {
        var orders = await OrdersTable.CreateAsync(azurite.ConnectionString, 5);
        await using var harness = await HarnessAsync(orders, "account_key", OrdersTable.Setting(azurite.ConnectionString, "AccountKey"));
        var configuration = Configuration(orders, "account_key");
        RunAssert.Succeeded(await harness.RunAsync(new AzureTableStorageConnector(), configuration));
        var before = await harness.ReadStateAsync();
        await harness.SetSecretAsync("account_key", WrongAccountKey);
        harness.Time.Advance(TimeSpan.FromHours(1));

        var run = await harness.RunAsync(new AzureTableStorageConnector(), configuration);

        // Azurite answers 403 without the x-ms-error-code header Azure sends (AuthenticationFailed); the status is what counts.
        RunAssert.Failed(run, "Azure Table Storage refused the credentials (403");
        Assert.Contains("'account_key'", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_SasTokenThenWrongKey_KeepsEverySecretOutOfLogsRunRecordsAndState()
    {
        var orders = await OrdersTable.CreateAsync(azurite.ConnectionString, 5);
        var sas = orders.ReadOnlySas();
        await using var harness = await HarnessAsync(orders, "sas_token", sas);
        await harness.SetSecretAsync("account_key", WrongAccountKey);

        var succeeded = await harness.RunAsync(new AzureTableStorageConnector(), Configuration(orders, "sas"));
        var failed = await harness.RunAsync(new AzureTableStorageConnector(), Configuration(orders, "account_key"));

        RunAssert.Succeeded(succeeded);
        Assert.Equal(5, succeeded.Tables[orders.Name.ToLowerInvariant()].Upserts);
        RunAssert.Failed(failed, "refused the credentials");
        Assert.NotEmpty(harness.Logs.Lines);
        await RunAssert.SecretKeptOutAsync(harness, sas, succeeded, failed);
        await RunAssert.SecretKeptOutAsync(harness, WrongAccountKey, succeeded, failed);
        var signature = Uri.UnescapeDataString(sas.Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal))[4..]);
        await RunAssert.SecretKeptOutAsync(harness, signature, succeeded, failed);
    }

    private static async Task<ConnectorHarness> HarnessAsync(OrdersTable orders, string secret, string value)
    {
        // The connector's clock: just after the last write, by the service's clock.
        var harness = new ConnectorHarness("azure_table_storage", (await orders.TimestampsAsync()).Max().AddSeconds(1));
        await harness.SetSecretAsync(secret, value);
        return harness;
    }

    private Dictionary<string, string> Configuration(OrdersTable orders, string authentication, int pageSize = 7)
    {
        var configuration = SampleConfiguration.Read("AzureTableStorage");
        configuration["tables"] = orders.Name;
        configuration["authentication"] = authentication;
        configuration["account_name"] = OrdersTable.Setting(azurite.ConnectionString, "AccountName");
        configuration["table_endpoint"] = OrdersTable.Setting(azurite.ConnectionString, "TableEndpoint");
        configuration["overlap_seconds"] = "0";
        configuration["page_size"] = $"{pageSize}";
        return configuration;
    }

    private static async Task<List<string>> SnapshotAsync(ConnectorHarness harness, OrdersTable orders) =>
    [
        .. (await harness.QueryAsync(
            $"SELECT partition_key, row_key, customer, amount, total_cents, shipped_at, {RunAssert.Deleted} AS deleted " +
            $"FROM {harness.Qualified(orders.Name.ToLowerInvariant())} ORDER BY partition_key, row_key"))
            .Select(r => string.Join('|', r.Values)),
    ];
}

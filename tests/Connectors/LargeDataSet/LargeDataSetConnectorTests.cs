using System.Text.Json;
using Tributary.Connectors.LargeDataSet;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.LargeDataSet;

// No credential test and no secret test: PokeAPI is public, and the connector reads no secret.
public sealed class LargeDataSetConnectorTests
{
    [Fact]
    public async Task UpdateAsync_FirstThenSecondSync_ReadsEveryPageThenOnlyTheNewEntries()
    {
        await using var fake = await PokeApiFake.StartAsync(count: 250);
        await using var harness = new ConnectorHarness("large_data_set");

        var first = await harness.RunAsync(new LargeDataSetConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(250, first.Tables["pokemons"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        RunAssert.JsonEqual("""{"offset": 250}""", await harness.ReadStateAsync());
        Assert.Equal(
            ["/api/v2/pokemon?offset=0&limit=100", "/api/v2/pokemon?offset=100&limit=100", "/api/v2/pokemon?offset=200&limit=100"],
            fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.Equal(Enumerable.Range(0, 250).Select(PokeApiFake.Name), await NamesAsync(harness));

        fake.Count = 270;
        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new LargeDataSetConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(20, second.Tables["pokemons"].Upserts);
        Assert.Equal(["/api/v2/pokemon?offset=250&limit=100"], fake.Api.Requests.Select(r => r.PathAndQuery));
        RunAssert.JsonEqual("""{"offset": 270}""", await harness.ReadStateAsync());
        Assert.Equal(Enumerable.Range(0, 270).Select(PokeApiFake.Name), await NamesAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_OneHugePage_CheckpointsBeforeThePageHasArrived()
    {
        await using var fake = await PokeApiFake.StartAsync(count: 5_000);
        await using var harness = new ConnectorHarness("large_data_set");
        var configuration = Configuration(fake);
        configuration["page_size"] = "100000";   // the original's "without pagination" variant: one request for everything
        configuration["checkpoint_every"] = "500";

        // The fake stops after 3,000 records and waits for a checkpoint of 500 or more: a client that held the page whole
        // before handing out its records would never get there.
        fake.HoldAfter = 3_000;
        fake.Hold = async () =>
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                if (await OffsetAsync(harness) >= 500)
                {
                    return true;
                }

                await Task.Delay(10);
            }

            return false;
        };

        var run = await harness.RunAsync(new LargeDataSetConnector(), configuration);

        RunAssert.Succeeded(run);
        Assert.True(fake.HoldReleased);
        Assert.Equal(11, run.Checkpoints);
        RunAssert.JsonEqual("""{"offset": 5000}""", await harness.ReadStateAsync());
        Assert.Equal(5_000L, (await harness.QueryAsync($"SELECT count(*) AS n FROM {harness.Qualified("pokemons")}"))[0]["n"]);
        Assert.Single(fake.Api.Requests);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndWritesTheSameRows()
    {
        await using var fake = await PokeApiFake.StartAsync(count: 250);
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.QueryString.Value!.Contains("offset=100", StringComparison.Ordinal));
        fake.Api.Inject(Fault.Unavailable(), r => r.QueryString.Value!.Contains("offset=200", StringComparison.Ordinal));
        await using var harness = new ConnectorHarness("large_data_set");

        var run = await harness.RunAsync(new LargeDataSetConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(5, fake.Api.Requests.Count);
        RunAssert.JsonEqual("""{"offset": 250}""", await harness.ReadStateAsync());
        Assert.Equal(Enumerable.Range(0, 250).Select(PokeApiFake.Name), await NamesAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_MalformedThirdPage_FailsNamingTheUrlKeepsTheCheckpointAndRerunConverges()
    {
        await using var fake = await PokeApiFake.StartAsync(count: 250);
        fake.Api.Inject(Fault.Malformed(), r => r.QueryString.Value!.Contains("offset=200", StringComparison.Ordinal));
        await using var harness = new ConnectorHarness("large_data_set");

        var failed = await harness.RunAsync(new LargeDataSetConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/api/v2/pokemon?offset=200&limit=100");
        RunAssert.JsonEqual("""{"offset": 200}""", await harness.ReadStateAsync());
        Assert.Equal(Enumerable.Range(0, 200).Select(PokeApiFake.Name), await NamesAsync(harness));
        fake.Api.ClearRequests();

        var rerun = await harness.RunAsync(new LargeDataSetConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(["/api/v2/pokemon?offset=200&limit=100"], fake.Api.Requests.Select(r => r.PathAndQuery));
        RunAssert.JsonEqual("""{"offset": 250}""", await harness.ReadStateAsync());
        Assert.Equal(Enumerable.Range(0, 250).Select(PokeApiFake.Name), await NamesAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_ZeroPageSize_FailsNamingTheKey()
    {
        await using var fake = await PokeApiFake.StartAsync(count: 10);
        await using var harness = new ConnectorHarness("large_data_set");
        var configuration = Configuration(fake);
        configuration["page_size"] = "0";

        RunAssert.Failed(await harness.RunAsync(new LargeDataSetConnector(), configuration), "'page_size'");
        Assert.Empty(fake.Api.Requests);
    }

    private static Dictionary<string, string> Configuration(PokeApiFake fake)
    {
        var configuration = SampleConfiguration.Read("LargeDataSet");
        configuration["base_url"] = fake.BaseUrl.AbsoluteUri;
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task<IEnumerable<string>> NamesAsync(ConnectorHarness harness) =>
        (await harness.RowsAsync("pokemons", "name")).Select(r => (string)r["name"]!);

    private static async Task<long> OffsetAsync(ConnectorHarness harness)
    {
        try
        {
            return (await harness.ReadStateAsync())["offset"]?.GetValue<long>() ?? 0;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return 0;   // the state file is being replaced; read it again
        }
    }
}

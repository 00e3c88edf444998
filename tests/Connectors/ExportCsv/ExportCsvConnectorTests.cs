using System.Globalization;
using System.Text.Json;
using Tributary.Connectors.ExportCsv;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.ExportCsv;

// No credential test and no secret test: the playground's export needs no credential, and the connector reads no secret.
public sealed class ExportCsvConnectorTests
{
    [Fact]
    public async Task UpdateAsync_FirstThenSecondSync_ReadsTheExportThenOnlyLinesUpdatedSinceTheCursor()
    {
        await using var fake = await CsvExportFake.StartAsync(users: 25);
        await using var harness = new ConnectorHarness("export_csv");

        var first = await harness.RunAsync(new ExportCsvConnector(), Configuration(fake, checkpointEvery: 10));

        RunAssert.Succeeded(first);
        Assert.Equal(25, first.Tables["user"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        Assert.Equal(["/export/csv"], fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.Equal("text/csv", fake.Api.Requests[0].Headers["accept"]);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T00:25:00Z"}""", await harness.ReadStateAsync());
        await AssertUsersAsync(harness, fake);
        var row = (await harness.RowsAsync("user", "id"))[0];
        Assert.Equal("1 Main St\nSpringfield, IL 62701", row["address"]);
        Assert.Equal("Acme, Inc.", row["company"]);

        fake.Change(3, "Manager", CsvExportFake.Start.AddHours(2));
        fake.Change(7, "Director", CsvExportFake.Start.AddHours(3));
        fake.Add(26, 2);
        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new ExportCsvConnector(), Configuration(fake, checkpointEvery: 10));

        RunAssert.Succeeded(second);
        Assert.Equal(["/export/csv?updated_since=2024-09-01T00%3A25%3A00Z"], fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.Equal(5, second.Tables["user"].Upserts);   // the cursor's own line again, 26 and 27, then 3 and 7
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T03:00:00Z"}""", await harness.ReadStateAsync());
        await AssertUsersAsync(harness, fake);
    }

    [Fact]
    public async Task UpdateAsync_LargeExport_CheckpointsBeforeTheFileHasArrived()
    {
        await using var fake = await CsvExportFake.StartAsync(users: 3_000);
        await using var harness = new ConnectorHarness("export_csv");

        // The fake stops after 2,000 lines until a checkpoint has been saved: a reader that held the file whole never gets one.
        fake.HoldAfter = 2_000;
        fake.Hold = async () =>
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                if (await CheckpointedAsync(harness))
                {
                    return true;
                }

                await Task.Delay(10);
            }

            return false;
        };

        var run = await harness.RunAsync(new ExportCsvConnector(), Configuration(fake, checkpointEvery: 500));

        RunAssert.Succeeded(run);
        Assert.True(fake.HoldReleased);
        Assert.Equal(7, run.Checkpoints);
        Assert.Equal(3_000L, (await harness.QueryAsync($"SELECT count(*) AS n FROM {harness.Qualified("user")}"))[0]["n"]);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndWritesTheSameRows()
    {
        await using var fake = await CsvExportFake.StartAsync(users: 25);
        fake.Api.Inject(Fault.TooManyRequests(1));
        fake.Api.Inject(Fault.Unavailable());
        await using var harness = new ConnectorHarness("export_csv");

        var run = await harness.RunAsync(new ExportCsvConnector(), Configuration(fake, checkpointEvery: 10));

        RunAssert.Succeeded(run);
        Assert.Equal(3, fake.Api.Requests.Count);
        await AssertUsersAsync(harness, fake);
    }

    [Fact]
    public async Task UpdateAsync_MalformedLineMidFile_FailsNamingTheUrlKeepsTheCheckpointAndRerunConverges()
    {
        await using var fake = await CsvExportFake.StartAsync(users: 25);
        var broken = CsvExportFake.Text(fake.Users().Take(12)) + "u-broken,only two fields\r\n";
        fake.Api.Inject(new Fault(200, broken, "text/csv", new Dictionary<string, string>()));
        await using var harness = new ConnectorHarness("export_csv");

        var failed = await harness.RunAsync(new ExportCsvConnector(), Configuration(fake, checkpointEvery: 5));

        RunAssert.Failed(failed, "/export/csv");
        Assert.Contains("malformed at line", failed.Error, StringComparison.Ordinal);
        RunAssert.JsonEqual("""{"last_updated_at": "2024-09-01T00:10:00Z"}""", await harness.ReadStateAsync());
        var ids = (await harness.RowsAsync("user", "id")).Select(r => (string)r["id"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(CsvExportFake.Id), ids.Take(10));
        fake.Api.ClearRequests();

        var rerun = await harness.RunAsync(new ExportCsvConnector(), Configuration(fake, checkpointEvery: 5));

        RunAssert.Succeeded(rerun);
        Assert.Equal(["/export/csv?updated_since=2024-09-01T00%3A10%3A00Z"], fake.Api.Requests.Select(r => r.PathAndQuery));
        await AssertUsersAsync(harness, fake);
    }

    private static Dictionary<string, string> Configuration(CsvExportFake fake, int checkpointEvery)
    {
        var configuration = SampleConfiguration.Read("ExportCsv");
        configuration["base_url"] = fake.Api.BaseUri.AbsoluteUri;
        configuration["checkpoint_every"] = checkpointEvery.ToString(CultureInfo.InvariantCulture);
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task AssertUsersAsync(ConnectorHarness harness, CsvExportFake fake)
    {
        var rows = await harness.RowsAsync("user", "id");
        Assert.Equal(
            fake.Users().Select(u => (u.Id, u.Job, u.UpdatedAt)),
            rows.Select(r => ((string)r["id"]!, (string)r["job"]!, Utc(r["updated_at"]))));
    }

    private static DateTimeOffset Utc(object? value) => value switch
    {
        DateTimeOffset offset => offset,
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => throw new InvalidOperationException($"updated_at is {value?.GetType().Name ?? "null"}"),
    };

    private static async Task<bool> CheckpointedAsync(ConnectorHarness harness)
    {
        try
        {
            return (await harness.ReadStateAsync()).ContainsKey("last_updated_at");
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return false;   // the state file is being replaced; read it again
        }
    }
}

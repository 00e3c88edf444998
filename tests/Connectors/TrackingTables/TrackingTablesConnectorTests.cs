using Tributary.Sdk.Testing;
using Tributary.Connectors.TrackingTables;
using Xunit;

namespace Tributary.Connectors.Tests.TrackingTables;

public sealed class TrackingTablesConnectorTests
{
    private static Dictionary<string, string> Configuration() => new() { ["initialSyncStart"] = "2024-01-01T00:00:00.000Z" };

    [Fact]
    public async Task UpdateAsync_FirstSync_BackfillsEveryTableFromInitialSyncStart()
    {
        await using var harness = new ConnectorHarness("tracking_tables");

        var run = await harness.RunAsync(new TrackingTablesConnector(), Configuration());

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Checkpoints);
        foreach (var table in new[] { "A", "B", "C" })
        {
            var tableName = table.ToLowerInvariant();
            Assert.Equal(1, run.Tables[tableName].Upserts);
            var row = Assert.Single(await harness.RowsAsync(tableName, "message"));
            Assert.Equal($"syncing {table} since 2024-01-01T00:00:00.000Z", row["message"]);
        }

        RunAssert.JsonEqual(
            """{"to_timestamp": "2024-09-15T12:00:00.000Z", "synced_tables": ["A", "B", "C"]}""",
            await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_SampleConfigurationFile_Succeeds()
    {
        await using var harness = new ConnectorHarness("tracking_tables");

        RunAssert.Succeeded(await harness.RunAsync(new TrackingTablesConnector(), SampleConfiguration.Read("TrackingTables")));
    }

    [Fact]
    public async Task UpdateAsync_TableAddedLater_OnlyNewTableBackfilled()
    {
        await using var harness = new ConnectorHarness("tracking_tables");
        RunAssert.Succeeded(await harness.RunAsync(new TrackingTablesConnector(), Configuration()));
        harness.Time.Advance(TimeSpan.FromDays(1));

        var run = await harness.RunAsync(new TrackingTablesConnector(["A", "B", "C", "D"]), Configuration());

        RunAssert.Succeeded(run);
        foreach (var table in new[] { "a", "b", "c" })
        {
            var messages = (await harness.RowsAsync(table, "message")).Select(row => (string)row["message"]!);
            Assert.Contains($"syncing {table.ToUpperInvariant()} since 2024-09-15T12:00:00.000Z", messages);
            Assert.Equal(2, messages.Count());
        }

        var d = Assert.Single(await harness.RowsAsync("d", "message"));
        Assert.Equal("syncing D since 2024-01-01T00:00:00.000Z", d["message"]);
        RunAssert.JsonEqual(
            """{"to_timestamp": "2024-09-16T12:00:00.000Z", "synced_tables": ["A", "B", "C", "D"]}""",
            await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_TablesListedInConfiguration_TreatedAsSyncedBefore()
    {
        await using var harness = new ConnectorHarness("tracking_tables");
        var configuration = new Dictionary<string, string>
        {
            ["initialSyncStart"] = "2024-01-01T00:00:00Z",
            ["synced_tables"] = "A,B",
        };

        var run = await harness.RunAsync(new TrackingTablesConnector(), configuration);

        RunAssert.Succeeded(run);
        // A and B continue from the configured start as written; C is new and needs its history.
        Assert.Equal("syncing A since 2024-01-01T00:00:00Z", Assert.Single(await harness.RowsAsync("a", "message"))["message"]);
        Assert.Equal("syncing C since 2024-01-01T00:00:00.000Z", Assert.Single(await harness.RowsAsync("c", "message"))["message"]);
    }

    [Fact]
    public async Task UpdateAsync_MissingInitialSyncStart_FailsNamingKey()
    {
        await using var harness = new ConnectorHarness("tracking_tables");

        var run = await harness.RunAsync(new TrackingTablesConnector());

        RunAssert.Failed(run, "initialSyncStart");
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    [Theory]
    [InlineData("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z")]
    [InlineData("2024-01-01T02:00:00.5+02:00", "2024-01-01T02:00:00.500+02:00")]
    public void FormatTimestamp_Instant_MatchesPythonIsoformatMilliseconds(string input, string expected) =>
        Assert.Equal(expected, TrackingTablesConnector.FormatTimestamp(DateTimeOffset.Parse(input, System.Globalization.CultureInfo.InvariantCulture)));
}

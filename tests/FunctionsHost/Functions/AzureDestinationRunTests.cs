using Tributary.Azure.Queue;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Functions;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Tests.Functions;

/// <summary>
/// A host that believes it runs on Azure (<c>WEBSITE_INSTANCE_ID</c> is set): a connection into DuckDB fails its run on its
/// configuration, naming the setting to change; a connection that names no destination writes Delta tables.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureDestinationRunTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["WEBSITE_INSTANCE_ID"] = "0123456789abcdef",
        ["Connections:synthetic:Destination"] = "duckdb",
    };

    [Fact]
    public async Task RunSync_DuckDbOnAzure_OneFailedConfigurationRecordNamingTheSetting()
    {
        var message = new RunMessage("synthetic", "timer", "sync-duckdb") { RequestedAt = App.Time.GetUtcNow() };

        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);

        var failed = Assert.Single(await RunsAsync("synthetic"));
        Assert.Equal((RunOutcome.Failed, RunErrorKind.Configuration), (failed.Outcome, failed.ErrorKind));
        Assert.Contains("set Connections__synthetic__Destination to delta (or postgres)", failed.Error, StringComparison.Ordinal);
        Assert.Contains("Tributary__Destination__DuckDb__AllowEphemeral=true", failed.Error, StringComparison.Ordinal);
        Assert.Null((await App.Store.ReadAsync("synthetic", CancellationToken.None)).Version);
        Assert.False(File.Exists(Path.Combine(App.Files, "warehouse.db")));
        Assert.Null(await App.DequeueAsync());   // not retried
    }

    [Fact]
    public async Task RunSync_NoDestinationSetting_WritesTheDeltaTableAndSavesState()
    {
        var message = new RunMessage("hello", "timer", "sync-delta") { RequestedAt = App.Time.GetUtcNow() };

        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);

        var run = Assert.Single(await RunsAsync("hello"));
        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        Assert.NotNull((await App.Store.ReadAsync("hello", CancellationToken.None)).Version);
        using var lake = new DeltaWarehouseReader(Path.Combine(App.Files, "lake"));
        var row = Assert.Single(await lake.RowsAsync("SELECT message, _tributary_deleted FROM hello.hello", CancellationToken.None));
        Assert.Equal(("hello, world!", (object?)false), ((string?)row[0], row[1]));
    }

    private async Task<List<RunRecord>> RunsAsync(string connection)
    {
        var runs = new List<RunRecord>();
        await foreach (var run in App.Store.ListRunsAsync(connection, CancellationToken.None))
        {
            runs.Add(run);
        }

        return runs;
    }
}

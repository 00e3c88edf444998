using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tributary.Azure.Secrets;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Functions;
using Tributary.FunctionsHost.Scheduling;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Tests.Functions;

/// <summary>
/// Two connections of one connector type in one app: <c>github_acme</c> every five minutes and <c>github_globex</c> hourly into
/// schema <c>globex</c>, each with its own configuration and Key Vault secret.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TwoConnectionsTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Connections:hello:Enabled"] = "false",   // only these two are scheduled here
        ["Connections:github_acme:Connector"] = "org_echo",
        ["Connections:github_acme:Destination"] = "duckdb",   // the test reads the rows from warehouse.db
        ["Connections:github_acme:Schedule"] = "0 */5 * * * *",
        ["Connections:github_acme:Configuration:org"] = "acme",
        ["Connections:github_globex:Connector"] = "org_echo",
        ["Connections:github_globex:Destination"] = "duckdb",
        ["Connections:github_globex:Schedule"] = "0 0 * * * *",
        ["Connections:github_globex:Schema"] = "globex",
        ["Connections:github_globex:Configuration:org"] = "globex",
    };

    private LocalWarehouse Warehouse => new(Path.Combine(App.Files, "warehouse.db"));

    protected override void Seed(FakeKeyVault vault)
    {
        vault.Set(KeyVaultSecretName.For("github_acme", "api_key"), "acme-key-1");
        vault.Set(KeyVaultSecretName.For("github_globex", "api_key"), "globex-key-1");
    }

    [Fact]
    public async Task TwoConnectionsOfOneConnector_ScheduledAndRun_KeepSchemasStateSecretsAndRunsApart()
    {
        var scheduler = App.Function<ConnectionScheduler>();

        // 08:00: both are due; each run writes its own schema with its own configuration and secret.
        var first = await scheduler.TickAsync(CancellationToken.None);
        Assert.Equal(["github_acme", "github_globex"], first.Select(message => message.Connection));
        await RunQueuedAsync(2);

        // 08:05 and 08:10: only acme is due.
        for (var tick = 0; tick < 2; tick++)
        {
            App.Time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(["github_acme"], (await scheduler.TickAsync(CancellationToken.None)).Select(message => message.Connection));
            await RunQueuedAsync(1);
        }

        Assert.Equal([("acme", OrgEchoConnector.Hash("acme-key-1"), 3L)], await OrgsAsync("github_acme"));
        Assert.Equal([("globex", OrgEchoConnector.Hash("globex-key-1"), 1L)], await OrgsAsync("globex"));
        Assert.Equal(0, await TablesInAsync("github_globex"));   // globex writes to its own schema only
        Assert.Equal("{\"org\":\"acme\",\"runs\":3}", (await App.Store.ReadAsync("github_acme", CancellationToken.None)).State.ToJsonString());
        Assert.Equal("{\"org\":\"globex\",\"runs\":1}", (await App.Store.ReadAsync("github_globex", CancellationToken.None)).State.ToJsonString());
        Assert.Equal(3, (await RunsAsync("github_acme")).Count);
        Assert.Single(await RunsAsync("github_globex"));
        Assert.Contains("GET /secrets/github-acme--api-key", Vault.Requests);
        Assert.Contains("GET /secrets/github-globex--api-key", Vault.Requests);

        // Their status says which connector and schema each has.
        using var response = await App.CreateClient().GetAsync("/api/connections/github_globex");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("org_echo", "globex"), (status["connector"]!.GetValue<string>(), status["schema"]!.GetValue<string>()));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero), status["schedule"]!["nextRunAt"]!.GetValue<DateTimeOffset>());
        Assert.Single(status["runs"]!.AsArray());
    }

    [Fact]
    public async Task StartSync_OneConnection_LeavesTheOtherUntouched()
    {
        using var accepted = await App.CreateClient().PostAsync("/api/connections/github_globex/sync", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        await RunQueuedAsync(1);

        Assert.Equal([("globex", OrgEchoConnector.Hash("globex-key-1"), 1L)], await OrgsAsync("globex"));
        Assert.Equal(0, await TablesInAsync("github_acme"));
        Assert.Null((await App.Store.ReadAsync("github_acme", CancellationToken.None)).Version);
        Assert.Empty(await RunsAsync("github_acme"));
    }

    private async Task RunQueuedAsync(int expected)
    {
        for (var i = 0; i < expected; i++)
        {
            var message = await App.DequeueAsync();
            Assert.NotNull(message);
            await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);
        }

        Assert.Null(await App.DequeueAsync());
    }

    private async Task<List<(string Id, string KeyHash, long Runs)>> OrgsAsync(string schema) =>
        [.. (await Warehouse.QueryAsync($"SELECT id, key_hash, runs FROM \"{schema}\".orgs ORDER BY id"))
            .Select(row => ((string)row[0]!, (string)row[1]!, Convert.ToInt64(row[2], System.Globalization.CultureInfo.InvariantCulture)))];

    private Task<long> TablesInAsync(string schema) =>
        Warehouse.ScalarAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'");

    private async Task<List<RunRecord>> RunsAsync(string connection)
    {
        var runs = new List<RunRecord>();
        await foreach (var run in App.Store.ListRunsAsync(connection, CancellationToken.None))
        {
            Assert.Equal(RunOutcome.Succeeded, run.Outcome);
            runs.Add(run);
        }

        return runs;
    }
}

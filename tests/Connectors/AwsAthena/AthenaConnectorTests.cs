using Tributary.Sdk.Testing;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.AwsAthena;

/// <summary>
/// What both Athena examples must do against <see cref="AthenaFake"/>: five customers, two a page (the first page holds the
/// label row and one customer), every query RUNNING for a few polls while the test's clock pump moves the fake clock.
/// </summary>
public abstract class AthenaConnectorTests
{
    protected const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    protected const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";

    private protected abstract string Name { get; }

    private protected abstract string Folder { get; }

    private protected abstract Connector CreateConnector();

    [Fact]
    public async Task UpdateAsync_FirstThenChangedTable_PollsTheRunningQueryPagesItsResultsAndMirrorsTheTable()
    {
        await using var athena = await StartAthenaAsync();
        await using var harness = await HarnessAsync();

        var first = await RunAsync(harness, athena);

        RunAssert.Succeeded(first);
        Assert.Equal(5, first.Tables["customers"].Upserts);
        Assert.Equal(
            ["StartQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryResults", "GetQueryResults", "GetQueryResults"],
            athena.Operations);
        Assert.Contains("\"QueryString\":\"SELECT * FROM test_rows\"", athena.Api.Requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"OutputLocation\":\"s3://tributary-tests/athena-results/\"", athena.Api.Requests[0].Body, StringComparison.Ordinal);
        Assert.Equal("{}", (await harness.ReadStateAsync()).ToJsonString());
        await AssertCustomersAsync(harness, athena.Table, deleted: []);

        // In Athena: c2 changes its e-mail, c4 is gone, c6 arrives.
        athena.Table[1] = athena.Table[1] with { Email = "grace@navy.example" };
        athena.Table.RemoveAt(3);
        athena.Table.Add(new Customer("c6", "Edsger", "Dijkstra", "edsger@example.org", 0));
        athena.Api.ClearRequests();

        var second = await RunAsync(harness, athena);

        RunAssert.Succeeded(second);
        Assert.Equal(5, second.Tables["customers"].Upserts);
        Assert.Equal(1, athena.Operations.Count(o => o == "StartQueryExecution"));
        await AssertCustomersAsync(harness, athena.Table, deleted: ["c4"]);
    }

    [Fact]
    public async Task UpdateAsync_WrongSecretKey_FailsAsRefusedCredentialsAndKeepsTheState()
    {
        await using var athena = await StartAthenaAsync();
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await RunAsync(harness, athena));
        var before = await harness.ReadStateAsync();
        await harness.SetSecretAsync("aws_secret_access_key", "not-the-secret-key-of-this-access-key");
        athena.Api.ClearRequests();

        var run = await RunAsync(harness, athena);

        RunAssert.Failed(run, "Athena refused the connection's AWS credentials (InvalidSignatureException)");
        Assert.Contains("aws_secret_access_key", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        Assert.Equal(["StartQueryExecution"], athena.Operations);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
        await AssertCustomersAsync(harness, athena.Table, deleted: []);
    }

    [Fact]
    public async Task UpdateAsync_UnknownAccessKeyId_FailsAsRefusedCredentials()
    {
        await using var athena = await StartAthenaAsync();
        await using var harness = await HarnessAsync();
        await harness.SetSecretAsync("aws_access_key_id", "AKIAUNKNOWNKEY000000");

        var run = await RunAsync(harness, athena);

        RunAssert.Failed(run, "(UnrecognizedClientException)");
        Assert.Contains("The security token included in the request is invalid", run.Error, StringComparison.Ordinal);
        Assert.Empty(await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_QueryFails_FailsWithAthenasReasonAndKeepsTheLastSnapshot()
    {
        await using var athena = await StartAthenaAsync();
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await RunAsync(harness, athena));
        athena.FailNextQuery("line 1:15: Table awsdatacatalog.sales.test_rows does not exist");

        var run = await RunAsync(harness, athena);

        RunAssert.Failed(run, "ended FAILED: line 1:15: Table awsdatacatalog.sales.test_rows does not exist");
        Assert.Contains("table_name", run.Error, StringComparison.Ordinal);
        Assert.Equal("{}", (await harness.ReadStateAsync()).ToJsonString());
        await AssertCustomersAsync(harness, athena.Table, deleted: []);
    }

    [Fact]
    public async Task UpdateAsync_AnySync_TheSecretKeyStaysOutOfLogsRunRecordsStateAndRequests()
    {
        await using var athena = await StartAthenaAsync();
        await using var harness = await HarnessAsync();
        var ok = await RunAsync(harness, athena);
        await harness.SetSecretAsync("aws_secret_access_key", SecretAccessKey + "x");
        var refused = await RunAsync(harness, athena);

        RunAssert.Succeeded(ok);
        RunAssert.Failed(refused, "InvalidSignatureException");
        await RunAssert.SecretKeptOutAsync(harness, SecretAccessKey, ok, refused);
        Assert.All(athena.Api.Requests, r => Assert.DoesNotContain(SecretAccessKey, r.ToString(), StringComparison.Ordinal));
        Assert.All(athena.Api.Requests, r => Assert.StartsWith(
            $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/20240915/us-east-1/athena/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=",
            r.Headers["authorization"],
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpdateAsync_KilledInTheSecondPageOfAChangedTable_RerunConvergesToTheTablesOfACleanSync()
    {
        await using var athena = await StartAthenaAsync();
        await using var harness = await HarnessAsync();
        await using var clean = await HarnessAsync();
        RunAssert.Succeeded(await RunAsync(harness, athena));
        RunAssert.Succeeded(await RunAsync(clean, athena));
        athena.Table[1] = athena.Table[1] with { Email = "grace@navy.example" };
        athena.Table.RemoveAt(3);
        athena.Table.Add(new Customer("c6", "Edsger", "Dijkstra", "edsger@example.org", 0));
        athena.Api.ClearRequests();

        // The snapshot's truncate and c1 (page 1), then c2 of page 2; c3 is never written.
        var killed = await RunAsync(harness, athena, (h, connector, configuration) => h.RunAsync(connector, configuration, killAfterOperations: 3));

        RunAssert.Failed(killed, "killed after 3 operations");
        var afterKill = await harness.ReadStateAsync();
        athena.Api.ClearRequests();
        var rerun = await RunAsync(harness, athena);

        RunAssert.Succeeded(rerun);
        AssertResumed(afterKill, athena.Operations);
        RunAssert.Succeeded(await RunAsync(clean, athena));
        Assert.Equal(await clean.ContentsAsync("customers", "customer_id"), await harness.ContentsAsync("customers", "customer_id"));
        await AssertCustomersAsync(harness, athena.Table, deleted: ["c4"]);
    }

    /// <summary>What the killed sync left in state, and what its rerun asked Athena.</summary>
    private protected abstract void AssertResumed(System.Text.Json.Nodes.JsonObject stateAfterKill, IReadOnlyList<string> rerunOperations);

    private protected static Task<AthenaFake> StartAthenaAsync() => StartAthenaAsync([
        new Customer("c1", "Ada", "Lovelace", "ada@example.org", 12),
        new Customer("c2", "Grace", "Hopper", "grace@example.org", 7),
        new Customer("c3", "Alan", "Turing", "alan@example.org", 3),
        new Customer("c4", "Barbara", "Liskov", "barbara@example.org", 9),
        new Customer("c5", "Donald", "Knuth", "donald@example.org", 42),
    ]);

    private protected static async Task<AthenaFake> StartAthenaAsync(IEnumerable<Customer> rows)
    {
        var athena = await AthenaFake.StartAsync(AccessKeyId, SecretAccessKey);
        athena.Table.AddRange(rows);
        return athena;
    }

    private protected async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness(Name);
        await harness.SetSecretAsync("aws_access_key_id", AccessKeyId);
        await harness.SetSecretAsync("aws_secret_access_key", SecretAccessKey);
        return harness;
    }

    private protected Dictionary<string, string> Configuration(AthenaFake athena)
    {
        var configuration = SampleConfiguration.Read(Folder);
        configuration["base_url"] = athena.Api.BaseUri.AbsoluteUri;
        configuration["database_name"] = "sales";
        configuration["s3_staging_dir"] = "s3://tributary-tests/athena-results/";
        configuration["page_size"] = "2";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    /// <summary>Runs a sync while moving the fake clock on whenever a query is running, so the connector's awaited waits
    /// between polls end; the fake decides how many polls a query takes, so the run does not depend on how far the clock moves.</summary>
    private protected async Task<RunRecord> RunAsync(ConnectorHarness harness, AthenaFake athena, Func<ConnectorHarness, Connector, IReadOnlyDictionary<string, string>, Task<RunRecord>>? run = null)
    {
        var sync = run is null ? harness.RunAsync(CreateConnector(), Configuration(athena)) : run(harness, CreateConnector(), Configuration(athena));
        while (await Task.WhenAny(sync, Task.Delay(5, harness.CancellationToken)) != sync)
        {
            if (athena.Running)
            {
                harness.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return await sync;
    }

    private protected static async Task AssertCustomersAsync(ConnectorHarness harness, IReadOnlyList<Customer> live, IReadOnlyList<string> deleted)
    {
        var rows = await harness.RowsAsync("customers", "customer_id");
        Assert.Equal(
            live.Select(c => c.Id).Concat(deleted).Order(StringComparer.Ordinal),
            rows.Select(r => (string)r["customer_id"]!));
        foreach (var customer in live)
        {
            var row = rows.Single(r => (string)r["customer_id"]! == customer.Id);
            Assert.Equal((customer.FirstName, customer.LastName, customer.Email, customer.Visits, false), ((string)row["first_name"]!, (string)row["last_name"]!, (string)row["email"]!, (long)row["visits"]!, (bool)row[RunAssert.Deleted]!));
        }

        Assert.All(rows.Where(r => deleted.Contains((string)r["customer_id"]!)), r => Assert.True((bool)r[RunAssert.Deleted]!));
    }
}

using System.Text.Json.Nodes;
using Tributary.Connectors.DynamoDb;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.DynamoDb;

/// <summary>
/// Against dynalite (a real DynamoDB-API server), through <see cref="DynamoDbProxy"/>, which logs every request and plays
/// IAM for a revoked key. Twenty customers, scanned in 4 segments of 3-item pages unless a test says otherwise.
/// </summary>
[Collection(DynaliteSourceCollection.Name)]
public sealed class DynamoDbConnectorTests(DynaliteFixture dynalite)
{
    private const string AccessKeyId = "AKIATRIBUTARY7EXAMPLE";
    private const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTRIBUTARYKEY";

    [Fact]
    public async Task UpdateAsync_FirstScanThenChangesInTheSource_ScansEverySegmentRecordsTheScanAndSoftDeletesWhatIsGone()
    {
        using var source = await SourceAsync(customers: 20);
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.ServiceUrl);
        await using var harness = await HarnessAsync();

        var first = await harness.RunAsync(new DynamoDbConnector(), Configuration(source, proxy));

        RunAssert.Succeeded(first);
        Assert.Equal(20, first.Tables[source.Table].Upserts);
        var scans = proxy.Requests("Scan");
        Assert.Equal([0, 1, 2, 3], scans.Select(s => (int)s["Segment"]!).Distinct().Order());
        Assert.All(scans, s => Assert.Equal((4, 3, true), ((int)s["TotalSegments"]!, (int)s["Limit"]!, (bool)s["ConsistentRead"]!)));
        Assert.All(scans.GroupBy(s => (int)s["Segment"]!), segment =>
        {
            // Each segment starts at its beginning, then every page after the first starts after the previous one.
            Assert.Null(segment.First()["ExclusiveStartKey"]);
            Assert.All(segment.Skip(1), page => Assert.NotNull(page["ExclusiveStartKey"]?["customer_id"]?["S"]));
        });
        var state = await harness.ReadStateAsync();
        var scan = state["tables"]![source.Table]!.AsObject();
        Assert.Equal((1, 20L), ((int)scan["completed_scans"]!, (long)scan["last_scan_items"]!));
        Assert.Equal("2024-09-15T12:00:00.000Z", (string?)scan["last_completed_scan_at"]);
        Assert.False(scan.ContainsKey("segments"));
        await AssertValuesAsync(harness, source.Table);

        // Between syncs: one customer renamed, one added, one deleted.
        await source.PutAsync(3, "Renamed");
        await source.PutAsync(21, "Customer 21");
        await source.DeleteAsync(5);
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new DynamoDbConnector(), Configuration(source, proxy));

        RunAssert.Succeeded(second);
        Assert.Equal((20, 1), (second.Tables[source.Table].Upserts, second.Tables[source.Table].Truncates));
        var rows = await harness.RowsAsync(source.Table, "customer_id");
        Assert.Equal(21, rows.Count);
        Assert.Equal(["c-005"], rows.Where(r => (bool)r[RunAssert.Deleted]!).Select(r => (string)r["customer_id"]!));
        Assert.Equal("Renamed", rows.Single(r => (string)r["customer_id"]! == "c-003")["name"]);
        Assert.Contains(rows, r => (string)r["customer_id"]! == "c-021" && !(bool)r[RunAssert.Deleted]!);
        scan = (await harness.ReadStateAsync())["tables"]![source.Table]!.AsObject();
        Assert.Equal((2, 20L), ((int)scan["completed_scans"]!, (long)scan["last_scan_items"]!));
    }

    [Fact]
    public async Task UpdateAsync_KilledMidScan_ResumesEachSegmentFromItsSavedKeyAndConverges()
    {
        using var source = await SourceAsync(customers: 20);
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.ServiceUrl);
        await using var harness = await HarnessAsync();
        await using var clean = await HarnessAsync();
        var configuration = Configuration(source, proxy, segments: 2, pageSize: 2);

        // The truncate and 14 upserts go through; each segment checkpoints its key after every page of 2.
        var killed = await harness.RunAsync(new DynamoDbConnector(), configuration, killAfterOperations: 15);

        RunAssert.Failed(killed, "killed");
        var saved = (await harness.ReadStateAsync())["tables"]![source.Table]!.AsObject();
        var segments = saved["segments"]!.AsArray();
        Assert.Equal(2, segments.Count);
        Assert.Contains(segments, s => s!["exclusive_start_key"] is not null);
        Assert.Equal(0, (int)saved["completed_scans"]!);
        proxy.Api.ClearRequests();

        var rerun = await harness.RunAsync(new DynamoDbConnector(), configuration);

        RunAssert.Succeeded(rerun);
        Assert.Equal(0, rerun.Tables[source.Table].Truncates);
        var scans = proxy.Requests("Scan");
        for (var segment = 0; segment < 2; segment++)
        {
            var own = scans.Where(s => (int)s["Segment"]! == segment).ToList();
            if ((bool)segments[segment]!["done"]!)
            {
                Assert.Empty(own);
                continue;
            }

            // The segment picks up after its last checkpointed page, not at its beginning.
            var expected = segments[segment]!["exclusive_start_key"];
            Assert.True(JsonNode.DeepEquals(expected, own[0]["ExclusiveStartKey"]), $"segment {segment} resumed at {own[0]["ExclusiveStartKey"]?.ToJsonString()}, not {expected?.ToJsonString()}");
        }

        RunAssert.Succeeded(await clean.RunAsync(new DynamoDbConnector(), configuration));
        Assert.Equal(await SnapshotAsync(clean, source.Table), await SnapshotAsync(harness, source.Table));
        var completed = (await harness.ReadStateAsync())["tables"]![source.Table]!.AsObject();
        Assert.Equal((1, 20L), ((int)completed["completed_scans"]!, (long)completed["last_scan_items"]!));
    }

    [Fact]
    public async Task UpdateAsync_RevokedAccessKey_FailsNamingTheRefusedCredentialsAndKeepsTheState()
    {
        using var source = await SourceAsync(customers: 5);
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.ServiceUrl);
        await using var harness = await HarnessAsync();
        RunAssert.Succeeded(await harness.RunAsync(new DynamoDbConnector(), Configuration(source, proxy)));
        var before = await harness.ReadStateAsync();
        proxy.Revoke(AccessKeyId);

        var run = await harness.RunAsync(new DynamoDbConnector(), Configuration(source, proxy));

        RunAssert.Failed(run, "DynamoDB refused the credentials (UnrecognizedClientException");
        Assert.Contains("'aws_secret_access_key'", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_MissingSecretKeyWrongKeySchemaOrMalformedRole_FailsNamingWhatIsWrong()
    {
        using var source = await SourceAsync(customers: 2);
        await using var harness = new ConnectorHarness("dynamo_db");
        await harness.SetSecretAsync("aws_access_key_id", AccessKeyId);
        var configuration = Configuration(source, proxy: null);

        RunAssert.Failed(await harness.RunAsync(new DynamoDbConnector(), configuration), "aws_secret_access_key");

        await harness.SetSecretAsync("aws_secret_access_key", SecretAccessKey);
        configuration["tables"] = $"{source.Table}:id";
        RunAssert.Failed(await harness.RunAsync(new DynamoDbConnector(), configuration), $"its key schema in DynamoDB is (customer_id)");
        Assert.Empty(await harness.ReadStateAsync());

        configuration["tables"] = $"{source.Table}:customer_id";
        configuration["role_arn"] = "arn:aws:iam::tributary:role/reader";
        RunAssert.Failed(await harness.RunAsync(new DynamoDbConnector(), configuration), "'role_arn' must be an IAM role ARN");
    }

    [Fact]
    public async Task UpdateAsync_AnySync_KeepsTheKeyPairOutOfLogsRunRecordsAndState()
    {
        using var source = await SourceAsync(customers: 5);
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.ServiceUrl);
        await using var harness = await HarnessAsync();
        var succeeded = await harness.RunAsync(new DynamoDbConnector(), Configuration(source, proxy));
        proxy.Revoke(AccessKeyId);
        var failed = await harness.RunAsync(new DynamoDbConnector(), Configuration(source, proxy));

        RunAssert.Succeeded(succeeded);
        RunAssert.Failed(failed, "refused the credentials");
        Assert.NotEmpty(harness.Logs.Lines);
        await RunAssert.SecretKeptOutAsync(harness, SecretAccessKey, succeeded, failed);
        await RunAssert.SecretKeptOutAsync(harness, AccessKeyId, succeeded, failed);
        // The secret key signs requests; it is never sent.
        Assert.DoesNotContain(proxy.Api.Requests, r => r.ToString().Contains(SecretAccessKey, StringComparison.Ordinal));
    }

    private async Task<DynamoDbSource> SourceAsync(int customers)
    {
        var source = new DynamoDbSource(dynalite.ServiceUrl, $"customers_{Guid.NewGuid():N}"[..22]);
        await source.CreateAsync(customers);
        return source;
    }

    private static async Task<ConnectorHarness> HarnessAsync()
    {
        var harness = new ConnectorHarness("dynamo_db");
        await harness.SetSecretAsync("aws_access_key_id", AccessKeyId);
        await harness.SetSecretAsync("aws_secret_access_key", SecretAccessKey);
        return harness;
    }

    private Dictionary<string, string> Configuration(DynamoDbSource source, DynamoDbProxy? proxy, int segments = 4, int pageSize = 3)
    {
        var configuration = SampleConfiguration.Read("DynamoDb");
        configuration["tables"] = $"{source.Table}:customer_id";
        configuration["service_url"] = (proxy?.Api.BaseUri ?? dynalite.ServiceUrl).AbsoluteUri;
        configuration["total_segments"] = $"{segments}";
        configuration["page_size"] = $"{pageSize}";
        return configuration;
    }

    /// <summary>Each kind of attribute lands as a column that keeps it: numbers exact, sets, lists and maps as JSON.</summary>
    private static async Task AssertValuesAsync(ConnectorHarness harness, string table)
    {
        var types = await harness.ColumnTypesAsync(table);
        Assert.False(types.ContainsKey("nickname"));   // only ever NULL: no column
        var first = (await harness.QueryAsync(
            $"SELECT CAST(balance AS VARCHAR) AS balance, lifetime_points, age, active, avatar, CAST(tags AS VARCHAR) AS tags, " +
            $"CAST(scores AS VARCHAR) AS scores, CAST(orders AS VARCHAR) AS orders, CAST(address AS VARCHAR) AS address " +
            $"FROM {harness.Qualified(table)} WHERE customer_id = 'c-001'")).Single();
        Assert.Equal(DynamoDbSource.ExactBalance, first["balance"]);
        Assert.Equal(DynamoDbSource.WidePoints, first["lifetime_points"]);
        Assert.Equal(21L, Convert.ToInt64(first["age"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(false, first["active"]);
        Assert.Equal(new byte[] { 1, 2, 1 }, first["avatar"]);
        Assert.Equal(["gold", "region-1"], JsonNode.Parse((string)first["tags"]!)!.AsArray().Select(t => (string)t!).Order());
        RunAssert.JsonEqual("""[1.5, 10]""", JsonNode.Parse((string)first["scores"]!));
        RunAssert.JsonEqual("""["o-1", 2]""", JsonNode.Parse((string)first["orders"]!));
        RunAssert.JsonEqual("""{"city": "Oslo", "zip": 150}""", JsonNode.Parse((string)first["address"]!));
        var second = (await harness.QueryAsync($"SELECT CAST(balance AS VARCHAR) AS balance FROM {harness.Qualified(table)} WHERE customer_id = 'c-002'")).Single();
        Assert.Equal("2.2500000000000000", second["balance"]);   // the column's scale (16, from c-001), the value's digits
    }

    private static async Task<List<string>> SnapshotAsync(ConnectorHarness harness, string table) =>
    [
        .. (await harness.QueryAsync(
            $"SELECT customer_id, name, CAST(balance AS VARCHAR) AS balance, CAST(address AS VARCHAR) AS address, {RunAssert.Deleted} AS deleted " +
            $"FROM {harness.Qualified(table)} ORDER BY customer_id"))
            .Select(r => string.Join('|', r.Values)),
    ];
}

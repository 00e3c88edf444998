using Microsoft.AspNetCore.WebUtilities;
using Tributary.Connectors.Smartsheets;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.Smartsheets;

public sealed class SmartsheetsConnectorTests
{
    private const string Budget = "sheet_budget_2024";
    private const string Tasks = "sheet_team_tasks";
    private const string Report = "report_all_work";
    private static readonly DateTimeOffset Now = ConnectorHarness.DefaultNow;

    [Fact]
    public async Task UpdateAsync_FirstSyncThenSecond_ReadsModifiedRowsOnlyAndSoftDeletesRemovedOnes()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);

        var first = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(["11", "12", "13", "14", "15"], await RowIdsAsync(harness, Budget));
        Assert.Equal(["21", "22"], await RowIdsAsync(harness, Tasks));
        Assert.Equal(["21", "22"], await RowIdsAsync(harness, Report));
        var state = await harness.ReadStateAsync();
        Assert.Equal("2024-09-14T12:00:00Z", (string?)state["last_modified"]);
        RunAssert.JsonEqual(
            """{"last_modified": "2024-09-14T12:00:00Z", "row_ids": ["11", "12", "13", "14", "15"]}""",
            state["sheet_states"]!["1001"]);
        RunAssert.JsonEqual("""{"row_ids": ["21", "22"]}""", state["report_states"]!["2001"]);
        var row = (await harness.QueryAsync($"SELECT * FROM {harness.Qualified(Budget)} WHERE row_id = '11'"))[0];
        Assert.Equal(SmartsheetRows.Key("11"), row["id"]);
        Assert.Equal("Venue", row["task_name"]);
        Assert.Equal(1250.5m, Convert.ToDecimal(row["amount"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(true, row["done"]);
        Assert.Equal("Budget 2024", row["sheet_name"]);

        var budget = fake.Sheets[1001];
        budget.Rows[12] = budget.Rows[12] with { ModifiedAt = Now.AddMinutes(10), Values = Cells("Catering", 990m, true, "2024-10-01") };
        budget.Rows.TryRemove(14, out _);
        budget.Rows[16] = new FakeRow(16, Now.AddMinutes(20), Cells("Band", 700m, false, "2024-10-05"));
        fake.Sheets[1002].Rows.TryRemove(22, out _);
        fake.Api.ClearRequests();
        harness.Time.Advance(TimeSpan.FromHours(1));

        var second = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        var budgetRequests = fake.Api.RequestsTo("/2.0/sheets/1001").Select(Query).ToList();
        Assert.Equal("2024-09-14T12:00:00Z", budgetRequests[0]["rowsModifiedSince"]);
        Assert.Equal(2, second.Tables[Budget].Upserts);
        // Five rows known and one new, but the sheet has five: the ids of all its rows are read, one column's worth.
        Assert.Contains(budgetRequests, q => q.GetValueOrDefault("columnIds") == "1" && !q.ContainsKey("rowsModifiedSince"));
        Assert.Equal(1, second.Tables[Budget].Deletes);
        Assert.Equal(["14"], await DeletedAsync(harness, Budget));
        Assert.Equal(["22"], await DeletedAsync(harness, Tasks));
        Assert.Equal(["22"], await DeletedAsync(harness, Report));
        Assert.Equal("Catering", (await harness.QueryAsync($"SELECT task_name FROM {harness.Qualified(Budget)} WHERE row_id = '12'"))[0]["task_name"]);
        var after = await harness.ReadStateAsync();
        RunAssert.JsonEqual(
            """{"last_modified": "2024-09-15T12:20:00Z", "row_ids": ["11", "12", "13", "15", "16"]}""",
            after["sheet_states"]!["1001"]);
        Assert.Equal("2024-09-15T12:20:00Z", (string?)after["last_modified"]);
    }

    [Fact]
    public async Task UpdateAsync_RevokedToken_FailsNamingThe401AndKeepsState()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        RunAssert.Succeeded(await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake)));
        var before = await harness.ReadStateAsync();
        fake.Token = "regenerated-token";

        var run = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));

        RunAssert.Failed(run, "401");
        Assert.Contains("/2.0/sheets/1001", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_RateLimitedThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.Path == "/2.0/sheets/1001" && r.Query["page"] == "2");
        fake.Api.Inject(Fault.Unavailable(), r => r.Path == "/2.0/reports/2001");

        var run = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(["11", "12", "13", "14", "15"], await RowIdsAsync(harness, Budget));
        Assert.Equal(["21", "22"], await RowIdsAsync(harness, Report));
        Assert.Equal(2, fake.Api.RequestsTo("/2.0/reports/2001").Count(r => Query(r)["page"] == "1"));
        Assert.Equal(2, fake.Api.RequestsTo("/2.0/sheets/1001").Count(r => Query(r)["page"] == "2"));
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingTheUrlKeepsTheFirstPageAndRerunConverges()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        fake.Api.Inject(Fault.Malformed(), r => r.Path == "/2.0/sheets/1001" && r.Query["page"] == "2");

        var failed = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/2.0/sheets/1001?");
        Assert.Contains("page=2", failed.Error, StringComparison.Ordinal);
        Assert.Equal(["11", "12"], await RowIdsAsync(harness, Budget));
        RunAssert.JsonEqual("""{"sheet_states": {}, "report_states": {}}""", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        Assert.Equal(["11", "12", "13", "14", "15"], await RowIdsAsync(harness, Budget));
        Assert.Equal(["21", "22"], await RowIdsAsync(harness, Report));
        Assert.Equal(["11", "12", "13", "14", "15"], (await harness.ReadStateAsync())["sheet_states"]!["1001"]!["row_ids"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public async Task UpdateAsync_Token_AppearsOnlyInTheAuthorizationHeader()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var token = fake.Token;

        var run = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));
        fake.Token = "revoked";
        var failed = await harness.RunAsync(new SmartsheetsConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        RunAssert.Failed(failed, "401");
        await RunAssert.SecretKeptOutAsync(harness, token, run, failed);
        Assert.All(fake.Api.Requests, r =>
        {
            Assert.Equal($"Bearer {token}", r.Headers["authorization"]);
            Assert.DoesNotContain(token, (r with { Headers = r.Headers.Where(h => h.Key != "authorization").ToDictionary() }).ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task UpdateAsync_SheetsNotIdNamePairs_FailsNamingTheKey()
    {
        await using var fake = await StartFakeAsync();
        await using var harness = await HarnessAsync(fake);
        var configuration = Configuration(fake);
        configuration["sheets"] = "Budget 2024";

        var run = await harness.RunAsync(new SmartsheetsConnector(), configuration);

        RunAssert.Failed(run, "Configuration key 'sheets' must be comma-separated id:name pairs");
        Assert.Empty(fake.Api.Requests);
    }

    private static Dictionary<long, object?> Cells(string task, decimal amount, bool done, string due) =>
        new() { [1] = task, [2] = amount, [3] = done, [4] = due };

    private static async Task<SmartsheetFake> StartFakeAsync()
    {
        var fake = await SmartsheetFake.StartAsync();
        FakeColumn[] columns = [new(1, "Task Name", "TEXT_NUMBER", Primary: true), new(2, "Amount", "TEXT_NUMBER"), new(3, "Done", "CHECKBOX"), new(4, "Due Date", "DATE")];
        var budget = new FakeSheet(1001, "Budget 2024", columns);
        string[] tasks = ["Venue", "Catering", "Flowers", "Photographer", "Cake"];
        for (var i = 1; i <= 5; i++)
        {
            budget.Rows[10 + i] = new FakeRow(10 + i, Now.AddDays(-6 + i), Cells(tasks[i - 1], 1000m + (250.5m * (i == 1 ? 1 : i)), i % 2 == 1, $"2024-09-{20 + i}"));
        }

        var team = new FakeSheet(1002, "Team Tasks", columns);
        team.Rows[21] = new FakeRow(21, Now.AddDays(-10), Cells("Hire", 0m, false, "2024-09-30"));
        team.Rows[22] = new FakeRow(22, Now.AddDays(-9), Cells("Onboard", 0m, false, "2024-10-15"));
        fake.Sheets[1001] = budget;
        fake.Sheets[1002] = team;
        fake.Reports[2001] = ("All Work", [1002]);
        return fake;
    }

    private static async Task<ConnectorHarness> HarnessAsync(SmartsheetFake fake)
    {
        var harness = new ConnectorHarness("smartsheets");
        await harness.SetSecretAsync("api_token", fake.Token);
        return harness;
    }

    private static Dictionary<string, string> Configuration(SmartsheetFake fake)
    {
        var configuration = SampleConfiguration.Read("Smartsheets");
        configuration["base_url"] = new Uri(fake.Api.BaseUri, "2.0/").ToString();
        configuration["sheets"] = "1001:Budget 2024,1002:Team Tasks";
        configuration["reports"] = "2001:All Work";
        configuration["page_size"] = "2";
        configuration["requests_per_minute"] = "60000";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task<List<string>> RowIdsAsync(ConnectorHarness harness, string table) =>
        [.. (await harness.QueryAsync($"SELECT row_id FROM {harness.Qualified(table)} WHERE NOT {RunAssert.Deleted} ORDER BY row_id")).Select(r => (string)r["row_id"]!)];

    private static async Task<List<string>> DeletedAsync(ConnectorHarness harness, string table) =>
        [.. (await harness.QueryAsync($"SELECT row_id FROM {harness.Qualified(table)} WHERE {RunAssert.Deleted} ORDER BY row_id")).Select(r => (string)r["row_id"]!)];

    private static Dictionary<string, string> Query(CapturedRequest request) =>
        QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), request.PathAndQuery).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
}

using System.Text.Json.Nodes;
using Tributary.Connectors.MultipleTablesWithCursors;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.MultipleTablesWithCursors;

/// <summary>Three companies of two departments each, served by the playground fake's cursors endpoints. The API has no
/// credentials, so there is no revoked-credential or secret test.</summary>
public sealed class MultipleTablesWithCursorsConnectorTests
{
    private const string Beginning = "0001-01-01T00:00:00Z";

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalSync_EachTableAndCompanyCursorAdvancesOnItsOwn()
    {
        await using var playground = await StartAsync();
        await using var harness = new ConnectorHarness("multiple_tables_with_cursors");

        var first = await harness.RunAsync(new MultipleTablesWithCursorsConnector(), Configuration(playground));

        RunAssert.Succeeded(first);
        Assert.Equal(3, first.Tables["company"].Upserts);
        Assert.Equal(6, first.Tables["department"].Upserts);
        Assert.Equal(
            [("/cursors/companies", Beginning), ("/cursors/1/departments", Beginning), ("/cursors/2/departments", Beginning), ("/cursors/3/departments", Beginning)],
            Requests(playground));
        var afterFirst = await harness.ReadStateAsync();
        RunAssert.JsonEqual(
            State(Stamp(playground, "company", "3"), ("1", Stamp(playground, "1", "2")), ("2", Stamp(playground, "2", "2")), ("3", Stamp(playground, "3", "2"))),
            afterFirst);
        await AssertTablesMatchAsync(harness, playground);

        // One department of company 2 changes (the company does not), company 3 gets a department, company 4 appears.
        harness.Time.Advance(TimeSpan.FromDays(1));
        var now = harness.Time.GetUtcNow();
        playground.Companies.RenameDepartment("2", "1", "Platform Engineering", now);
        playground.Companies.AddDepartment("3", now.AddSeconds(1));
        playground.Companies.AddCompany(now.AddSeconds(2));
        playground.Api.ClearRequests();

        var second = await harness.RunAsync(new MultipleTablesWithCursorsConnector(), Configuration(playground));

        RunAssert.Succeeded(second);
        var departmentCursor = afterFirst["department_cursor"]!;
        Assert.Equal(
            [
                ("/cursors/companies", afterFirst["company_cursor"]!.GetValue<string>()),
                ("/cursors/1/departments", departmentCursor["1"]!.GetValue<string>()),
                ("/cursors/2/departments", departmentCursor["2"]!.GetValue<string>()),
                ("/cursors/3/departments", departmentCursor["3"]!.GetValue<string>()),
                ("/cursors/4/departments", Beginning),
            ],
            Requests(playground));
        RunAssert.JsonEqual(
            State(PlaygroundTime.Format(now.AddSeconds(2)), ("1", Stamp(playground, "1", "2")), ("2", PlaygroundTime.Format(now)), ("3", PlaygroundTime.Format(now.AddSeconds(1))), ("4", Beginning)),
            await harness.ReadStateAsync());
        await AssertTablesMatchAsync(harness, playground);
        var renamed = await harness.QueryAsync($"SELECT department_name FROM {harness.Qualified("department")} WHERE company_id = '2' AND department_id = '1'");
        Assert.Equal("Platform Engineering", Assert.Single(renamed)["department_name"]);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var playground = await StartAsync();
        await using var harness = new ConnectorHarness("multiple_tables_with_cursors");
        playground.Api.Inject(Fault.TooManyRequests(1), r => r.Path == "/cursors/companies");
        playground.Api.Inject(Fault.Unavailable(), r => r.Path == "/cursors/2/departments");

        var run = await harness.RunAsync(new MultipleTablesWithCursorsConnector(), Configuration(playground));

        RunAssert.Succeeded(run);
        Assert.Equal(6, playground.Api.Requests.Count);
        await AssertTablesMatchAsync(harness, playground);
    }

    [Fact]
    public async Task UpdateAsync_MalformedDepartmentsOfTheSecondCompany_FailsNamingTheUrlKeepsWhatWasCheckpointedAndARerunConverges()
    {
        await using var playground = await StartAsync();
        await using var harness = new ConnectorHarness("multiple_tables_with_cursors");
        playground.Api.Inject(Fault.Malformed(), r => r.Path == "/cursors/2/departments");

        var failed = await harness.RunAsync(new MultipleTablesWithCursorsConnector(), Configuration(playground));

        RunAssert.Failed(failed, $"{playground.Api.BaseUri.AbsoluteUri}cursors/2/departments?");
        Assert.Equal(2, failed.Checkpoints);
        Assert.Equal(3, (await harness.RowsAsync("company", "company_id")).Count);
        Assert.Equal(["1", "1"], (await harness.RowsAsync("department", "company_id, department_id")).Select(r => (string)r["company_id"]!));
        RunAssert.JsonEqual(
            State(Stamp(playground, "company", "3"), ("1", Stamp(playground, "1", "2")), ("2", Beginning), ("3", Beginning)),
            await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new MultipleTablesWithCursorsConnector(), Configuration(playground));

        RunAssert.Succeeded(rerun);
        await AssertTablesMatchAsync(harness, playground);
        RunAssert.JsonEqual(
            State(Stamp(playground, "company", "3"), ("1", Stamp(playground, "1", "2")), ("2", Stamp(playground, "2", "2")), ("3", Stamp(playground, "3", "2"))),
            await harness.ReadStateAsync());
    }

    /// <summary>The state's JSON: the company cursor and each company's department cursor.</summary>
    private static string State(string companyCursor, params (string CompanyId, string Cursor)[] departmentCursors) => new JsonObject
    {
        ["company_cursor"] = companyCursor,
        ["department_cursor"] = new JsonObject(departmentCursors.Select(d => KeyValuePair.Create(d.CompanyId, (JsonNode?)d.Cursor))),
    }.ToJsonString();

    private static Task<ApiPlaygroundFake> StartAsync() =>
        ApiPlaygroundFake.StartAsync(companies: new PlaygroundCompanies(companies: 3, departmentsEach: 2, ConnectorHarness.DefaultNow));

    private static Dictionary<string, string> Configuration(ApiPlaygroundFake playground)
    {
        var configuration = SampleConfiguration.Read("MultipleTablesWithCursors");
        configuration["base_url"] = playground.Api.BaseUri.AbsoluteUri;
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    /// <summary>Each request's path and <c>updated_since</c>, in order.</summary>
    private static List<(string Path, string Since)> Requests(ApiPlaygroundFake playground) =>
        [.. playground.Api.Requests.Select(r => (RequestQuery.PathOf(r), RequestQuery.Of(r)["updated_since"]))];

    /// <summary>The <c>updatedAt</c> of company <paramref name="id"/> (<paramref name="owner"/> = "company"), or of department
    /// <paramref name="id"/> of company <paramref name="owner"/>, as the API writes it.</summary>
    private static string Stamp(ApiPlaygroundFake playground, string owner, string id) => PlaygroundTime.Format(owner == "company"
        ? playground.Companies.CompaniesUpdatedSince(DateTimeOffset.MinValue, descending: false).Single(c => c.CompanyId == id).UpdatedAt
        : playground.Companies.DepartmentsUpdatedSince(owner, DateTimeOffset.MinValue, descending: false).Single(d => d.DepartmentId == id).UpdatedAt);

    /// <summary>Both tables hold exactly the playground's companies and departments, with their latest names.</summary>
    private static async Task AssertTablesMatchAsync(ConnectorHarness harness, ApiPlaygroundFake playground)
    {
        var companies = playground.Companies.CompaniesUpdatedSince(DateTimeOffset.MinValue, descending: false).OrderBy(c => int.Parse(c.CompanyId, System.Globalization.CultureInfo.InvariantCulture));
        var companyRows = await harness.RowsAsync("company", "CAST(company_id AS INTEGER)");
        Assert.Equal(companies.Select(c => (c.CompanyId, c.CompanyName)), companyRows.Select(r => ((string)r["company_id"]!, (string)r["company_name"]!)));

        var departments = companies.SelectMany(c => playground.Companies.DepartmentsUpdatedSince(c.CompanyId, DateTimeOffset.MinValue, descending: false)
            .OrderBy(d => int.Parse(d.DepartmentId, System.Globalization.CultureInfo.InvariantCulture)));
        var departmentRows = await harness.RowsAsync("department", "CAST(company_id AS INTEGER), CAST(department_id AS INTEGER)");
        Assert.Equal(
            departments.Select(d => (d.CompanyId, d.DepartmentId, d.DepartmentName, d.UpdatedAt)),
            departmentRows.Select(r => ((string)r["company_id"]!, (string)r["department_id"]!, (string)r["department_name"]!, UserTable.Utc(r["updated_at"]))));
    }
}

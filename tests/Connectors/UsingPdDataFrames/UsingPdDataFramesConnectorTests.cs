using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Connectors.UsingPdDataFrames;
using Xunit;

namespace Tributary.Connectors.Tests.UsingPdDataFrames;

// No credential test and no secret test: randomuser.me is public, and the connector reads no secret.
public sealed class UsingPdDataFramesConnectorTests
{
    [Fact]
    public async Task UpdateAsync_FirstThenSecondSync_WritesTheFramesThenOnlyTheNextUsers()
    {
        await using var fake = await RandomUserFake.StartAsync();
        await using var harness = new ConnectorHarness("using_pd_dataframes");

        var first = await harness.RunAsync(new UsingPdDataFramesConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(5, first.Checkpoints);
        Assert.Equal(["/api/?results=1&seed=tributary&page=1", "/api/?results=1&seed=tributary&page=2"], fake.Api.Requests.Select(r => r.PathAndQuery));
        RunAssert.JsonEqual("""{"profile_cursor": 2, "location_cursor": 2, "login_cursor": 2, "table_with_nan_cursor": 10}""", await harness.ReadStateAsync());
        await AssertUsersAsync(harness, 2);
        await AssertMissingValuesAsync(harness);
        var picture = System.Text.Json.Nodes.JsonNode.Parse((string)(await harness.RowsAsync("profile", "id"))[0]["picture"]!)!;
        Assert.Equal("https://randomuser.me/api/portraits/women/1.jpg", (string?)picture["large"]);

        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new UsingPdDataFramesConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(2, second.Tables["profile"].Upserts);
        Assert.Equal(["/api/?results=1&seed=tributary&page=3", "/api/?results=1&seed=tributary&page=4"], fake.Api.Requests.Select(r => r.PathAndQuery));
        RunAssert.JsonEqual("""{"profile_cursor": 4, "location_cursor": 4, "login_cursor": 4, "table_with_nan_cursor": 20}""", await harness.ReadStateAsync());
        await AssertUsersAsync(harness, 4);
        await AssertMissingValuesAsync(harness);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndWritesTheSameRows()
    {
        await using var fake = await RandomUserFake.StartAsync();
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.QueryString.Value!.EndsWith("page=1", StringComparison.Ordinal));
        fake.Api.Inject(Fault.Unavailable(), r => r.QueryString.Value!.EndsWith("page=2", StringComparison.Ordinal));
        await using var harness = new ConnectorHarness("using_pd_dataframes");

        var run = await harness.RunAsync(new UsingPdDataFramesConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(4, fake.Api.Requests.Count);
        await AssertUsersAsync(harness, 2);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondUser_FailsNamingTheUrlKeepsStateAndRerunConverges()
    {
        await using var fake = await RandomUserFake.StartAsync();
        await using var harness = new ConnectorHarness("using_pd_dataframes");
        RunAssert.Succeeded(await harness.RunAsync(new UsingPdDataFramesConnector(), Configuration(fake)));
        var stateAfterFirst = (await harness.ReadStateAsync()).ToJsonString();
        fake.Api.Inject(Fault.Malformed(), r => r.QueryString.Value!.EndsWith("page=4", StringComparison.Ordinal));

        var failed = await harness.RunAsync(new UsingPdDataFramesConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/api/?results=1&seed=tributary&page=4");
        RunAssert.JsonEqual(stateAfterFirst, await harness.ReadStateAsync());
        await AssertUsersAsync(harness, 2);

        var rerun = await harness.RunAsync(new UsingPdDataFramesConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        await AssertUsersAsync(harness, 4);
    }

    private static Dictionary<string, string> Configuration(RandomUserFake fake)
    {
        var configuration = SampleConfiguration.Read("UsingPdDataFrames");
        configuration["base_url"] = fake.Api.BaseUri.AbsoluteUri;
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task AssertUsersAsync(ConnectorHarness harness, int count)
    {
        var expected = Enumerable.Range(1, count).Select(RandomUserFake.Expected).ToList();
        var profiles = await harness.RowsAsync("profile", "id");
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), profiles.Select(r => Convert.ToInt64(r["id"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected.Select(e => (e.FullName, e.Email)), profiles.Select(r => ((string)r["full_name"]!, (string)r["email"]!)));
        var locations = await harness.RowsAsync("location", "profile_id");
        Assert.Equal(expected.Select(e => (e.City, e.Postcode)), locations.Select(r => ((string)r["city"]!, (string)r["postcode"]!)));
        var logins = await harness.RowsAsync("login", "profile_id");
        Assert.Equal(expected.Select(e => e.Username), logins.Select(r => (string)r["username"]!));
    }

    // The frame's NaNs must land as NULL, never as a NaN value, and the other cells as the frame holds them.
    private static async Task AssertMissingValuesAsync(ConnectorHarness harness)
    {
        var frame = UserFrames.WithMissingValues();
        var expectedNulls = frame.Columns["column_1"].NullCount + frame.Columns["Column_2"].NullCount;
        Assert.True(expectedNulls > 0, "the generated frame should have missing values");
        var rows = await harness.RowsAsync("table_with_nan", "id");
        Assert.Equal(10, rows.Count);
        Assert.Equal(expectedNulls, rows.Sum(r => (r["column_1"] is null ? 1 : 0) + (r["column_2"] is null ? 1 : 0)));
        Assert.DoesNotContain(rows, r => r["column_1"] is double d && double.IsNaN(d));
        Assert.Equal(frame.Columns["column_1"][3], rows[3]["column_1"]);
    }
}

using System.Globalization;
using Tributary.Connectors.RecordsWithNoCreatedAtTimestamp;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.RecordsWithNoCreatedAtTimestamp;

// No credential test and no secret test: the original reads no source at all and has no credential; the connector reads
// no secret.
public sealed class RecordsWithNoCreatedAtTimestampConnectorTests
{
    [Fact]
    public async Task UpdateAsync_FirstThenSecondSync_KeepsEveryVersionAndAsksOnlyForWhatChanged()
    {
        await using var fake = await StartAsync();
        await using var harness = new ConnectorHarness("records_with_no_created_at_timestamp");

        var first = await harness.RunAsync(new RecordsWithNoCreatedAtTimestampConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(5, first.Tables["user"].Upserts);
        Assert.Equal(["/v1/users?page=1&per_page=2", "/v1/users?page=2&per_page=2", "/v1/users?page=3&per_page=2"], fake.Api.Requests.Select(r => r.PathAndQuery));
        RunAssert.JsonEqual("""{"last_updated_at": "2009-05-01T08:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(
            [(123, "Manager"), (456, "VP"), (789, "Analyst"), (790, "Engineer"), (791, "Designer")],
            await VersionsAsync(harness));

        // The source overwrites 123 and 789 in place; the destination keeps both versions of each.
        fake.Put(123, "John", "Doe", "Senior Manager", At("2010-01-04T23:44:21Z"));
        fake.Put(789, "Ann", "Lee", "Lead Analyst", At("2010-02-01T09:00:00Z"));
        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Api.ClearRequests();

        var second = await harness.RunAsync(new RecordsWithNoCreatedAtTimestampConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(["/v1/users?updated_since=2009-05-01T08%3A00%3A00Z&page=1&per_page=2", "/v1/users?updated_since=2009-05-01T08%3A00%3A00Z&page=2&per_page=2"], fake.Api.Requests.Select(r => r.PathAndQuery));
        Assert.Equal(3, second.Tables["user"].Upserts);   // the cursor's own version again, and the two new ones
        RunAssert.JsonEqual("""{"last_updated_at": "2010-02-01T09:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(
            [(123, "Manager"), (123, "Senior Manager"), (456, "VP"), (789, "Analyst"), (789, "Lead Analyst"), (790, "Engineer"), (791, "Designer")],
            await VersionsAsync(harness));

        // When each version was first seen is its _tributary_synced: the new versions a day after the first ones.
        var john = await harness.RowsAsync("user", "updated_at");
        var synced = john.Where(r => Convert.ToInt32(r["id"], CultureInfo.InvariantCulture) == 123).Select(r => r[RunAssert.Synced]).ToList();
        Assert.Equal(2, synced.Count);
        Assert.NotEqual(synced[0], synced[1]);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndWritesTheSameRows()
    {
        await using var fake = await StartAsync();
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.QueryString.Value!.Contains("page=2", StringComparison.Ordinal));
        fake.Api.Inject(Fault.Unavailable(), r => r.QueryString.Value!.Contains("page=3", StringComparison.Ordinal));
        await using var harness = new ConnectorHarness("records_with_no_created_at_timestamp");

        var run = await harness.RunAsync(new RecordsWithNoCreatedAtTimestampConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(5, fake.Api.Requests.Count);
        Assert.Equal(
            [(123, "Manager"), (456, "VP"), (789, "Analyst"), (790, "Engineer"), (791, "Designer")],
            await VersionsAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_MalformedThirdPage_FailsNamingTheUrlKeepsTheCheckpointAndRerunConverges()
    {
        await using var fake = await StartAsync();
        fake.Api.Inject(Fault.Malformed(), r => r.QueryString.Value!.Contains("page=3", StringComparison.Ordinal));
        await using var harness = new ConnectorHarness("records_with_no_created_at_timestamp");

        var failed = await harness.RunAsync(new RecordsWithNoCreatedAtTimestampConnector(), Configuration(fake));

        RunAssert.Failed(failed, "/v1/users?page=3&per_page=2");
        RunAssert.JsonEqual("""{"last_updated_at": "2009-01-10T00:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal([(123, "Manager"), (456, "VP"), (789, "Analyst"), (790, "Engineer")], await VersionsAsync(harness));

        var rerun = await harness.RunAsync(new RecordsWithNoCreatedAtTimestampConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        RunAssert.JsonEqual("""{"last_updated_at": "2009-05-01T08:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(
            [(123, "Manager"), (456, "VP"), (789, "Analyst"), (790, "Engineer"), (791, "Designer")],
            await VersionsAsync(harness));
    }

    private static async Task<UsersWithoutCreatedAtFake> StartAsync()
    {
        var fake = await UsersWithoutCreatedAtFake.StartAsync();
        fake.Put(123, "John", "Doe", "Manager", At("2007-12-03T10:15:30Z"));
        fake.Put(456, "Jane", "Dalton", "VP", At("2008-11-12T00:00:20Z"));
        fake.Put(789, "Ann", "Lee", "Analyst", At("2009-01-02T00:00:00Z"));
        fake.Put(790, "Raj", "Patel", "Engineer", At("2009-01-10T00:00:00Z"));
        fake.Put(791, "Mia", "Wong", "Designer", At("2009-05-01T08:00:00Z"));
        return fake;
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Configuration(UsersWithoutCreatedAtFake fake)
    {
        var configuration = SampleConfiguration.Read("RecordsWithNoCreatedAtTimestamp");
        configuration["base_url"] = fake.Api.BaseUri.AbsoluteUri;
        configuration["page_size"] = "2";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static async Task<List<(int Id, string Designation)>> VersionsAsync(ConnectorHarness harness) =>
        [.. (await harness.RowsAsync("user", "id, updated_at")).Select(r => (Convert.ToInt32(r["id"], CultureInfo.InvariantCulture), (string)r["designation"]!))];
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Scheduling;
using Tributary.FunctionsHost.Tests.Support;

namespace Tributary.FunctionsHost.Tests.Scheduling;

/// <summary>Two connections with malformed schedules beside hello's good one: only they are not scheduled.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MalformedScheduleTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Connections:five_fields:Connector"] = "hello",
        ["Connections:five_fields:Schedule"] = "*/5 * * * *",
        ["Connections:minute_61:Connector"] = "hello",
        ["Connections:minute_61:Schedule"] = "0 61 * * * *",
    };

    [Fact]
    public async Task Tick_MalformedSchedules_OnlyThoseConnectionsAreNotScheduledAndEachSaysWhy()
    {
        var scheduler = App.Function<ConnectionScheduler>();

        var queued = await scheduler.TickAsync(CancellationToken.None);
        await scheduler.TickAsync(CancellationToken.None);

        Assert.Equal(["hello"], queued.Select(message => message.Connection));
        Assert.Single(App.Logs.Lines, line => line.Contains(
            "Connection five_fields is not scheduled: Connections__five_fields__Schedule: '*/5 * * * *' has five fields", StringComparison.Ordinal));
        Assert.Single(App.Logs.Lines, line => line.Contains("Connection minute_61 is not scheduled: Connections__minute_61__Schedule:", StringComparison.Ordinal));

        using var response = await App.CreateClient().GetAsync("/api/connections/five_fields");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var schedule = (await response.Content.ReadFromJsonAsync<JsonObject>())!["schedule"]!;
        Assert.Equal("*/5 * * * *", schedule["expression"]!.GetValue<string>());
        Assert.Contains("write '0 */5 * * * *'", schedule["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(schedule["nextRunAt"]);

        // Still a connection: it syncs on demand.
        using var sync = await App.CreateClient().PostAsync("/api/connections/five_fields/sync", null);
        Assert.Equal(HttpStatusCode.Accepted, sync.StatusCode);
    }
}

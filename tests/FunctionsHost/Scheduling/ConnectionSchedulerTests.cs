using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Azure.Queue;
using Tributary.Azure.Scheduling;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Functions;
using Tributary.FunctionsHost.Scheduling;
using Tributary.FunctionsHost.Tests.Support;

namespace Tributary.FunctionsHost.Tests.Scheduling;

/// <summary>
/// The one scheduler on the app's fake clock (it starts at 2026-11-27 08:00:00Z) against Azurite: hello is due every five
/// minutes, synthetic hourly but disabled, the rest have no schedule.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConnectionSchedulerTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SchedulerFunction_AtDueTime_QueuesOneTimerRunCarryingTheDueTime()
    {
        App.Time.Advance(TimeSpan.FromSeconds(2));   // the timer fires a moment after the minute

        await App.Function<SchedulerFunction>().Tick(new TimerInfo(), CancellationToken.None);

        var message = (await App.DequeueAsync())!;
        Assert.Equal(("hello", "timer", 0, Start), (message.Connection, message.Trigger, message.Continuation, message.RequestedAt));
        Assert.Null(await App.DequeueAsync());   // synthetic is disabled; the others have no schedule
        var mark = await App.Services.GetRequiredService<BlobScheduleMarkers>().ReadAsync("hello", CancellationToken.None);
        Assert.Equal((Start, message.SyncId), (mark!.DueAt, mark.SyncId));
    }

    [Fact]
    public async Task Tick_RepeatedForOneDueTime_QueuesOneRun()
    {
        var scheduler = App.Function<ConnectionScheduler>();

        Assert.Single(await scheduler.TickAsync(CancellationToken.None));
        App.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(await scheduler.TickAsync(CancellationToken.None));
        Assert.Empty(await App.Function<ConnectionScheduler>().TickAsync(CancellationToken.None));   // a fresh instance reads the marker

        Assert.NotNull(await App.DequeueAsync());
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Tick_TwoInstancesTogether_QueueOneRunPerDueTime()
    {
        var first = App.Function<ConnectionScheduler>();
        var second = App.Function<ConnectionScheduler>();

        for (var round = 0; round < 6; round++)
        {
            var ticks = await Task.WhenAll(first.TickAsync(CancellationToken.None), second.TickAsync(CancellationToken.None));

            var message = Assert.Single(ticks.SelectMany(static queued => queued));
            Assert.Equal(Start.AddMinutes(5 * round), message.RequestedAt);
            Assert.Equal(message, await App.DequeueAsync());
            Assert.Null(await App.DequeueAsync());
            await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);   // ends the sync, freeing its reservation
            App.Time.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(6, await CountRunsAsync("hello"));
    }

    [Fact]
    public async Task Tick_AfterGap_QueuesOneRunForTheLatestDueTime()
    {
        var scheduler = App.Function<ConnectionScheduler>();
        await RunAsync(Assert.Single(await scheduler.TickAsync(CancellationToken.None)));

        App.Time.Advance(TimeSpan.FromMinutes(62));   // the app was stopped from 08:00 to 09:02: twelve due times passed
        var queued = await scheduler.TickAsync(CancellationToken.None);

        var message = Assert.Single(queued);
        Assert.Equal(Start.AddHours(1), message.RequestedAt);
        Assert.Equal(message, await App.DequeueAsync());
        Assert.Null(await App.DequeueAsync());
        Assert.Contains(App.Logs.Lines, line => line.Contains("Connection hello missed 11 due times", StringComparison.Ordinal));
        Assert.Empty(await scheduler.TickAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Tick_NewConnectionPastItsDueTime_WaitsForItsNextDueTime()
    {
        App.Time.Advance(TimeSpan.FromMinutes(2.5));   // 08:02:30: hello's 08:00 is older than a tick

        Assert.Empty(await App.Function<ConnectionScheduler>().TickAsync(CancellationToken.None));
        App.Time.Advance(TimeSpan.FromMinutes(2.5));
        var message = Assert.Single(await App.Function<ConnectionScheduler>().TickAsync(CancellationToken.None));

        Assert.Equal(Start.AddMinutes(5), message.RequestedAt);
    }

    [Fact]
    public async Task Tick_WhileRunHoldsLease_QueuesTheDueTimeOnceTheRunHasEnded()
    {
        var scheduler = App.Function<ConnectionScheduler>();
        await using (await App.Store.AcquireLeaseAsync("hello", CancellationToken.None))
        {
            Assert.Empty(await scheduler.TickAsync(CancellationToken.None));
            App.Time.Advance(TimeSpan.FromMinutes(1));
            Assert.Empty(await scheduler.TickAsync(CancellationToken.None));
        }

        App.Time.Advance(TimeSpan.FromMinutes(1));
        var message = Assert.Single(await scheduler.TickAsync(CancellationToken.None));   // 08:02: the 08:00 run, once

        Assert.Equal(Start, message.RequestedAt);
        Assert.Empty(await scheduler.TickAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Tick_WhileSyncQueued_QueuesNothingUntilItHasEnded()
    {
        await App.CreateClient().PostAsync("/api/connections/hello/sync", null);
        var queued = (await App.DequeueAsync())!;
        var scheduler = App.Function<ConnectionScheduler>();

        Assert.Empty(await scheduler.TickAsync(CancellationToken.None));
        Assert.Null(await App.DequeueAsync());
        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(queued), CancellationToken.None);

        var message = Assert.Single(await scheduler.TickAsync(CancellationToken.None));
        Assert.Equal(("timer", Start), (message.Trigger, message.RequestedAt));
    }

    [Fact]
    public async Task Tick_QueueUnreachable_GivesTheDueTimeBackSoTheNextTickQueuesIt()
    {
        var unreachable = new QueueClient(
            new Uri($"http://127.0.0.1:{FreePort.Next()}/devstoreaccount1/runs"),
            new QueueClientOptions { Retry = { MaxRetries = 0 } });
        var broken = ActivatorUtilities.CreateInstance<ConnectionScheduler>(App.Services, new RunQueue(unreachable));

        Assert.Empty(await broken.TickAsync(CancellationToken.None));

        Assert.Contains(App.Logs.Lines, line => line.Contains("Scheduling connection hello failed; the next tick tries again", StringComparison.Ordinal));
        var message = Assert.Single(await App.Function<ConnectionScheduler>().TickAsync(CancellationToken.None));
        Assert.Equal(Start, message.RequestedAt);
        Assert.Equal(message, await App.DequeueAsync());
    }

    private async Task RunAsync(RunMessage message)
    {
        Assert.Equal(message, await App.DequeueAsync());
        await App.Function<RunSyncFunction>().Run(QueueMessages.Of(message), CancellationToken.None);
    }

    private async Task<int> CountRunsAsync(string connection)
    {
        var count = 0;
        await foreach (var _ in App.Store.ListRunsAsync(connection, CancellationToken.None))
        {
            count++;
        }

        return count;
    }
}

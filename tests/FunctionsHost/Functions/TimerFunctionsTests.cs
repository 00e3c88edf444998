using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Functions;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime;

namespace Tributary.FunctionsHost.Tests.Functions;

[Collection(AzuriteCollection.Name)]
public sealed class TimerFunctionsTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{

    [Fact]
    public async Task Timer_EnabledConnector_QueuesTimerRun()
    {
        await App.Function<ConnectorTimers>().Hello(new TimerInfo { IsPastDue = true }, CancellationToken.None);

        var message = (await App.DequeueAsync())!;
        Assert.Equal(("hello", "timer", 0), (message.Connector, message.Trigger, message.Continuation));
        Assert.Equal(App.Time.GetUtcNow(), message.RequestedAt);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Timer_DisabledConnector_QueuesNothing()
    {
        await App.Function<ConnectorTimers>().Synthetic(new TimerInfo(), CancellationToken.None);

        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Timer_WhileRunHoldsLease_QueuesNothing()
    {
        await using var lease = await App.Store.AcquireLeaseAsync("hello", CancellationToken.None);

        await App.Function<ConnectorTimers>().Hello(new TimerInfo(), CancellationToken.None);

        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Timer_WhileSyncQueued_QueuesNothing()
    {
        await App.CreateClient().PostAsync("/api/connectors/hello/sync", null);
        var queued = (await App.DequeueAsync())!;

        await App.Function<ConnectorTimers>().Hello(new TimerInfo(), CancellationToken.None);

        Assert.Equal("http", queued.Trigger);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Timers_EveryExampleConnector_HasOneReadingItsScheduleSetting()
    {
        var catalog = new ConnectorCatalog(typeof(Connectors.Hello.HelloConnector).Assembly);
        var timers = typeof(ConnectorTimers).GetMethods()
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(t => t.Function is not null)
            .ToDictionary(t => t.Function!.Name, t => t.Method);

        foreach (var name in catalog.Names)
        {
            Assert.True(
                timers.TryGetValue($"timer_{name}", out var method),
                $"Connector '{name}' has no timer: add to ConnectorTimers a method [Function(\"timer_{name}\")] with [TimerTrigger(\"%Connectors:{name}:Schedule%\")].");
            var trigger = method!.GetParameters()[0].GetCustomAttribute<TimerTriggerAttribute>()!;
            Assert.Equal($"%Connectors:{name}:Schedule%", trigger.Schedule);

            // Each timer queues its own connector.
            await (Task)method.Invoke(App.Function<ConnectorTimers>(), [new TimerInfo(), CancellationToken.None])!;
            Assert.Equal(name, (await App.DequeueAsync())?.Connector ?? (name == "synthetic" ? name : null));
        }

        Assert.Equal(catalog.Names.Count, timers.Count);
    }
}

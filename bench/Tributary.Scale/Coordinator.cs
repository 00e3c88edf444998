using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Tributary.Azure.Queue;
using Tributary.Azure.State;

namespace Tributary.Scale;

/// <summary>
/// Owns simulated time. Each simulated minute it tells every live instance to tick to that minute (all three at once, as their
/// timers would), then to drain the run queue, again and again until the queue is empty (continuations, messages sent back by a
/// busy connector and a killed instance's messages after their visibility timeout all count); then the next minute. At
/// <see cref="ScaleOptions.KillAtMinute"/> the last instance drains first, alone, and is SIGKILLed in the middle of a sync.
/// </summary>
internal static class Coordinator
{
    public const string StartSetting = "Scale:Start";
    public const string BudgetSetting = "Scale:BudgetMs";
    public const string JournalFile = "journal.jsonl";
    public const string LakeContainer = "lake";

    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    public static async Task<ScaleReport> RunAsync(ScaleOptions options, string storageConnectionString, string workDirectory, TextWriter progress)
    {
        var wall = Stopwatch.StartNew();
        var fleet = Fleet.Create(options.Connections);
        var settings = new Dictionary<string, string?>(Fleet.Settings(fleet))
        {
            [Instance.StorageConnectionName] = storageConnectionString,
            ["Tributary:Destination:Delta:Container"] = LakeContainer,   // the host's default destination, one lake for every instance
            [StartSetting] = options.Start.ToString("O", CultureInfo.InvariantCulture),
            [BudgetSetting] = ((int)options.Budget.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),

            // A run's hard deadline is twice its budget (1 s by default here). On two shared cores a run can miss it before its
            // first checkpoint several times in a row; the host then continues it, as it does. The product's guard, failing a
            // connection after three such runs, is tested in the runtime; here it would fail a sync for the machine's load.
            ["Tributary:Runner:MaxRunsWithoutCheckpoint"] = "100",
        };
        var settingsPath = Path.Combine(workDirectory, "settings.json");
        await File.WriteAllTextAsync(settingsPath, JsonSerializer.Serialize(settings));

        var blobs = new BlobServiceClient(storageConnectionString);
        await blobs.GetBlobContainerClient(BlobStateStoreOptions.DefaultContainerName).CreateIfNotExistsAsync();
        await blobs.GetBlobContainerClient(LakeContainer).CreateIfNotExistsAsync();   // as the infrastructure does
        var queue = new QueueClient(storageConnectionString, RunQueue.DefaultName, RunQueue.CreateClientOptions());
        var poison = new QueueClient(storageConnectionString, RunQueue.DefaultPoisonName, RunQueue.CreateClientOptions());
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();

        var store = new BlobStateStore(blobs);
        var instances = new List<InstanceProcess>();
        Kill? kill = null;
        try
        {
            for (var i = 1; i <= options.Instances; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"i{i}");
                instances.Add(InstanceProcess.Start(name, Path.Combine(workDirectory, name), settingsPath));
            }

            await Task.WhenAll(instances.Select(instance => instance.ExpectAsync("ready", ReplyTimeout)));
            progress.WriteLine($"{instances.Count} instances ready after {wall.Elapsed.TotalSeconds:F1}s; {fleet.Count} connections, {options.Minutes} simulated minutes");

            for (var m = 0; m < options.Minutes; m++)
            {
                var minute = options.Start.AddMinutes(m);
                var live = instances.Where(static instance => !instance.Killed).ToList();
                var setAt = SimulatedClock.Wall.GetUtcNow();
                var command = $"tick {minute.ToString("O", CultureInfo.InvariantCulture)} {setAt.ToString("O", CultureInfo.InvariantCulture)}";
                await Task.WhenAll(live.Select(instance => instance.SendAsync(command)));
                await Task.WhenAll(live.Select(instance => instance.ExpectAsync("ticked", ReplyTimeout)));

                var victim = m == options.KillAtMinute ? live[^1] : null;
                var rounds = 0;
                while (true)
                {
                    rounds++;
                    live = [.. instances.Where(static instance => !instance.Killed)];
                    if (victim is not null && kill is null)
                    {
                        var writers = fleet
                            .Where(c => c.Connector == "synthetic" && c.DueTimes(options.Start, minute) is [var due, ..] && due == minute)
                            .Select(static c => c.Id)
                            .ToHashSet(StringComparer.Ordinal);
                        kill = await KillAsync(victim, m, minute, setAt, writers, store);
                        live.Remove(victim);
                    }

                    await Task.WhenAll(live.Select(instance => instance.SendAsync("drain")));
                    await Task.WhenAll(live.Select(instance => instance.ExpectAsync("idle", ReplyTimeout)));

                    if ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
                    {
                        break;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(250));
                }

                if (m % 10 == 0 || m == options.KillAtMinute || rounds > 3)
                {
                    progress.WriteLine($"minute {m}: settled after {rounds} drain rounds, {wall.Elapsed.TotalSeconds:F1}s" +
                        (m == options.KillAtMinute ? $"; killed {kill}" : string.Empty));
                }
            }

            var survivors = instances.Where(static instance => !instance.Killed).ToList();
            await Task.WhenAll(survivors.Select(instance => instance.SendAsync("quit")));
            await Task.WhenAll(survivors.Select(instance => instance.ExpectAsync("bye", ReplyTimeout)));
            await Task.WhenAll(survivors.Select(instance => instance.WaitForExitAsync(ReplyTimeout)));
            progress.WriteLine($"simulation done after {wall.Elapsed.TotalSeconds:F1}s; verifying");
        }
        finally
        {
            foreach (var instance in instances)
            {
                instance.Dispose();
            }
        }

        var verifier = new Verifier(options, fleet, store, blobs.GetBlobContainerClient(LakeContainer), instances.Select(static i => i.Directory).ToList(), kill);
        var report = await verifier.VerifyAsync(
            instances.Sum(static i => i.Requests),
            (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount,
            (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        return report with { WallTime = wall.Elapsed };
    }

    // The victim drains alone until it starts a run of a connection whose first sync is due this minute (any run, when there is
    // none), and is SIGKILLed as soon as that sync has checkpointed: mid-sync, holding the connection's lease and its claim, with
    // rows written. The others then drain what it leaves. When it finds nothing to run it is killed idle.
    private static async Task<Kill> KillAsync(InstanceProcess victim, int m, DateTimeOffset minute, DateTimeOffset setAt, HashSet<string> writers, BlobStateStore store)
    {
        var first = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await victim.SendAsync("drain");
        var idle = victim.ExpectAsync("idle", ReplyTimeout, started =>
        {
            if (writers.Count == 0 || writers.Contains(started.Split(' ')[0]))
            {
                first.TrySetResult(started);
            }
        });
        var started = "(nothing: it was idle)";
        if (await Task.WhenAny(first.Task, (Task)idle) == first.Task)
        {
            started = await first.Task;
            var connection = started.Split(' ')[0];
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < KillWait && (await store.ReadAsync(connection, CancellationToken.None)).Version is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }

        victim.Kill();
        var kill = new Kill(victim.Name, m, started, minute + (SimulatedClock.Wall.GetUtcNow() - setAt));
        await idle;
        return kill;
    }
}

/// <summary>The instance killed: when (simulated minute and time) and what it had just started.</summary>
internal sealed record Kill(string Instance, int Minute, string Started, DateTimeOffset At)
{
    public override string ToString() => $"{Instance} at minute {Minute} ({At:HH:mm:ss.fff}), just after it started {Started}";
}

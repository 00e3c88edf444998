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
/// <see cref="ScaleOptions.KillAtMinute"/> it SIGKILLs the last instance shortly after that instance starts a run.
/// </summary>
internal static class Coordinator
{
    public const string StartSetting = "Scale:Start";
    public const string BudgetSetting = "Scale:BudgetMs";
    public const string JournalFile = "journal.jsonl";

    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan KillDelay = TimeSpan.FromMilliseconds(40);

    public static async Task<ScaleReport> RunAsync(ScaleOptions options, string storageConnectionString, string workDirectory, TextWriter progress)
    {
        var wall = Stopwatch.StartNew();
        var fleet = Fleet.Create(options.Connections);
        var settings = new Dictionary<string, string?>(Fleet.Settings(fleet))
        {
            [Instance.StorageConnectionName] = storageConnectionString,
            [StartSetting] = options.Start.ToString("O", CultureInfo.InvariantCulture),
            [BudgetSetting] = ((int)options.Budget.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };
        var settingsPath = Path.Combine(workDirectory, "settings.json");
        await File.WriteAllTextAsync(settingsPath, JsonSerializer.Serialize(settings));

        var blobs = new BlobServiceClient(storageConnectionString);
        await blobs.GetBlobContainerClient(BlobStateStoreOptions.DefaultContainerName).CreateIfNotExistsAsync();
        var queue = new QueueClient(storageConnectionString, RunQueue.DefaultName, RunQueue.CreateClientOptions());
        var poison = new QueueClient(storageConnectionString, RunQueue.DefaultPoisonName, RunQueue.CreateClientOptions());
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();

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
                    await Task.WhenAll(live.Select(instance => instance.SendAsync("drain")));
                    Task? killing = null;
                    await Task.WhenAll(live.Select(instance => instance.ExpectAsync("idle", ReplyTimeout, started =>
                    {
                        if (instance == victim && kill is null)
                        {
                            kill = new Kill(instance.Name, m, started, minute + (SimulatedClock.Wall.GetUtcNow() - setAt));
                            killing = KillSoonAsync(instance);
                        }
                    })));
                    if (killing is not null)
                    {
                        await killing;
                    }

                    if (victim is not null && kill is null)
                    {
                        // It started nothing this round: killed idle instead.
                        kill = new Kill(victim.Name, m, "(idle)", minute + (SimulatedClock.Wall.GetUtcNow() - setAt));
                        victim.Kill();
                    }

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

        var verifier = new Verifier(options, fleet, new BlobStateStore(blobs), instances.Select(static i => i.Directory).ToList(), kill);
        var report = await verifier.VerifyAsync(
            instances.Sum(static i => i.Requests),
            (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount,
            (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        return report with { WallTime = wall.Elapsed };
    }

    private static async Task KillSoonAsync(InstanceProcess instance)
    {
        // A moment after the run's message is taken: the run holds its lease and claim, and may have written.
        await Task.Delay(KillDelay);
        instance.Kill();
    }
}

/// <summary>The instance killed: when (simulated minute and time) and what it had just started.</summary>
internal sealed record Kill(string Instance, int Minute, string Started, DateTimeOffset At)
{
    public override string ToString() => $"{Instance} at minute {Minute} ({At:HH:mm:ss.fff}), just after it started {Started}";
}

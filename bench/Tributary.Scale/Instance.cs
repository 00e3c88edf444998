using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Azure.Queue;
using Tributary.Azure.State;
using Tributary.FunctionsHost;
using Tributary.Connectors.Synthetic;
using Tributary.Destinations.Delta;
using Tributary.FunctionsHost.Scheduling;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Scale;

/// <summary>
/// One host instance, a process of its own: the Functions host's services as <see cref="TributaryFunctionsServiceCollectionExtensions.AddTributaryFunctions"/>
/// composes them, on the coordinator's clock, with storage clients that count their requests. In place of the Functions runtime
/// it runs the scheduler timer when told (<c>tick &lt;minute&gt; &lt;wall time&gt;</c>) and, when told to drain, takes run
/// messages off the queue and hands each to the <see cref="QueuedSyncProcessor"/> the queue trigger calls, as the trigger does:
/// deleted when processed, back on the queue when it throws, to the poison queue on the fifth failure.
/// </summary>
internal static partial class Instance
{
    /// <summary>How long a received message stays invisible to the other instances.</summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(15);

    private const int MaxDequeueCount = 5;
    // One message at a time per instance: on two shared cores, more makes runs miss their budgets (the host's default is 16).
    private const int BatchSize = 1;

    public static async Task<int> RunAsync(string settingsPath, string name, string directory)
    {
        var settings = JsonSerializer.Deserialize<Dictionary<string, string?>>(await File.ReadAllTextAsync(settingsPath))
            ?? throw new InvalidOperationException($"{settingsPath} holds no settings.");
        settings["Tributary:Files"] = directory;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var clock = new SimulatedClock(DateTimeOffset.Parse(configuration[Coordinator.StartSetting]!, CultureInfo.InvariantCulture));
        var budget = TimeSpan.FromMilliseconds(int.Parse(configuration[Coordinator.BudgetSetting]!, CultureInfo.InvariantCulture));
        var connectionString = configuration[StorageConnectionName]!;

        var counter = new RequestCounter();
        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        var blobs = new BlobServiceClient(connectionString, blobOptions);
        var queueOptions = RunQueue.CreateClientOptions();
        queueOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        var queue = new QueueClient(connectionString, RunQueue.DefaultName, queueOptions);
        var poison = new QueueClient(connectionString, RunQueue.DefaultPoisonName, queueOptions);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(new QueuedSyncOptions
        {
            TimeBudget = budget,
            BusyRetryDelay = TimeSpan.FromSeconds(1),
            TransientRetryDelay = TimeSpan.FromMilliseconds(200),
        });

        // The host's own services on storage clients that count requests; leases at Azure's shortest, so a killed instance's
        // leases expire within seconds.
        services.AddSingleton(provider => new BlobStateStore(
            blobs,
            new BlobStateStoreOptions { LeaseDuration = TimeSpan.FromSeconds(15), LeaseRenewalInterval = TimeSpan.FromSeconds(5) },
            clock,
            provider.GetRequiredService<ILogger<BlobStateStore>>()));
        services.AddKeyedSingleton(StorageConnectionName, blobs);   // the schedule markers and the lake use it too
        services.AddSingleton(new RunQueue(queue));
        services.AddTributaryFunctions(configuration);

        await using var provider = services.BuildServiceProvider();
        var scheduler = provider.GetRequiredService<ConnectionScheduler>();
        var processor = provider.GetRequiredService<QueuedSyncProcessor>();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Tributary.Scale.Instance");
        using var journal = new Journal(Path.Combine(directory, Coordinator.JournalFile));
        var worker = new Worker(name, queue, poison, processor, journal, logger);

        await WarmUpAsync(new BlobServiceClient(connectionString).GetBlobContainerClient("warmup-" + name), directory);
        Reply("ready");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var command = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (command)
            {
                case ["tick", var minute, var setAt]:
                    clock.Set(DateTimeOffset.Parse(minute, CultureInfo.InvariantCulture), DateTimeOffset.Parse(setAt, CultureInfo.InvariantCulture));
                    var queued = await scheduler.TickAsync(CancellationToken.None);
                    foreach (var message in queued)
                    {
                        journal.Write(new JournalEntry("queued", name, message.Connection, message.SyncId, message.Continuation, message.Trigger, message.RequestedAt));
                    }

                    Reply(string.Create(CultureInfo.InvariantCulture, $"ticked {queued.Count}"));
                    break;
                case ["drain"]:
                    await worker.DrainAsync();
                    Reply(string.Create(CultureInfo.InvariantCulture, $"idle {counter.Count}"));
                    break;
                case ["quit"]:
                    Reply(string.Create(CultureInfo.InvariantCulture, $"bye {counter.Count}"));
                    return 0;
                default:
                    throw new InvalidOperationException($"Unknown command '{line}': expected 'tick <minute> <wall time>', 'drain' or 'quit'.");
            }
        }

        return 0;
    }

    /// <summary>
    /// One untimed sync into a lake of the instance's own, before it reports ready. Runs here are budgeted in milliseconds, so
    /// the first run's just-in-time compilation of the engine, DuckDB and the Delta writer, which a deployed host pays once
    /// against a budget of minutes, would otherwise eat whole budgets at minute 0.
    /// </summary>
    private static async Task WarmUpAsync(BlobContainerClient lake, string directory)
    {
        await lake.CreateIfNotExistsAsync();
        await using var destination = new DeltaDestination(new DeltaDestinationOptions { Container = lake });
        var runner = new SyncRunner(destination, new FileStateStore(Path.Combine(directory, "warmup-state")));
        var configuration = new ConnectorConfiguration(new Dictionary<string, string> { ["rows"] = "200", ["checkpoint_every"] = "50" });
        var run = await runner.RunAsync(new SyncRequest("warmup", new SyntheticConnector(), configuration), CancellationToken.None);
        if (run.Outcome != RunOutcome.Succeeded)
        {
            throw new InvalidOperationException($"The warm-up sync failed: {run.Error}");
        }
    }

    /// <summary>The storage connection's setting name.</summary>
    public const string StorageConnectionName = "TributaryStorage";

    /// <summary>A line to the coordinator.</summary>
    public static void Reply(string line) => Console.Out.WriteLine(line);

    /// <summary>Takes run messages off the queue and processes them until the queue shows none.</summary>
    private sealed class Worker(string name, QueueClient queue, QueueClient poison, QueuedSyncProcessor processor, Journal journal, ILogger logger)
    {
        public async Task DrainAsync()
        {
            while (true)
            {
                QueueMessage[] received = (await queue.ReceiveMessagesAsync(BatchSize, VisibilityTimeout)).Value;
                if (received.Length == 0)
                {
                    return;
                }

                await Task.WhenAll(received.Select(HandleAsync));
            }
        }

        private async Task HandleAsync(QueueMessage received)
        {
            var message = RunMessage.Parse(received.Body);
            journal.Write(new JournalEntry("start", name, message.Connection, message.SyncId, message.Continuation, message.Trigger, message.RequestedAt));
            Reply($"started {message.Connection} {message.Continuation.ToString(CultureInfo.InvariantCulture)}");
            try
            {
                var record = await processor.ProcessAsync(message, CancellationToken.None);
                journal.Write(new JournalEntry("end", name, message.Connection, message.SyncId, message.Continuation, message.Trigger, message.RequestedAt)
                {
                    Ran = record is not null,
                    Outcome = record?.Outcome.ToString(),
                    StartedAt = record?.StartedAt,
                    EndedAt = record?.EndedAt,
                    Upserts = record?.Total(static table => table.Upserts) ?? 0,
                });
                await ForgetAsync(received);
            }
            catch (Exception ex)
            {
                // As the queue trigger: the message is retried, and moved to the poison queue after its fifth attempt.
                LogFailed(logger, ex, message.Connection, received.DequeueCount);
                journal.Write(new JournalEntry("end", name, message.Connection, message.SyncId, message.Continuation, message.Trigger, message.RequestedAt)
                {
                    Outcome = "Threw " + ex.GetType().Name,
                });
                if (received.DequeueCount >= MaxDequeueCount)
                {
                    await poison.SendMessageAsync(received.Body);
                    await ForgetAsync(received);
                }
                else
                {
                    try
                    {
                        await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(1));
                    }
                    catch (RequestFailedException update) when (update.Status == 404)
                    {
                        // Another instance has it already.
                    }
                }
            }
        }

        private async Task ForgetAsync(QueueMessage received)
        {
            try
            {
                await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Its visibility ran out and another instance took it: that one deletes it.
            }
        }
    }

    [LoggerMessage(9000, LogLevel.Error, "Run message of {Connection} threw (attempt {Attempt}); the queue retries it")]
    private static partial void LogFailed(ILogger logger, Exception exception, string connection, long attempt);
}

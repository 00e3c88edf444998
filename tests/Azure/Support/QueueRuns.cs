using Azure.Storage.Queues;
using Tributary.Azure.Queue;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Azure.Tests.Support;

/// <summary>
/// Prepares the queue tests' runs: the connector <paramref name="connectors"/> makes for each call (numbered from 1), on one
/// DuckDB file, with the shared store; counts the calls, and can fail one instead of preparing it.
/// </summary>
public sealed class RunFactory(
    IStateStore store,
    string databasePath,
    TimeProvider time,
    Func<int, Connector> connectors,
    IReadOnlyDictionary<string, string> configuration) : IConnectorRunFactory
{
    private int _calls;

    /// <summary>Runs prepared (or refused) so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>What a call throws instead of preparing its run; <see langword="null"/> for none.</summary>
    public Func<int, Exception?>? Failure { get; init; }

    public ValueTask<ConnectorRun> CreateAsync(string connection, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        if (Failure?.Invoke(call) is { } error)
        {
            throw error;
        }

        var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = databasePath });
        var options = new SyncRunnerOptions { BatchSize = 10_000, IsTransient = AzureErrors.IsTransient };
        var runner = new SyncRunner(destination, store, options, timeProvider: time);
        return ValueTask.FromResult(new ConnectorRun(runner, new SyncRequest(connection, connectors(call), new ConnectorConfiguration(configuration)), destination));
    }
}

/// <summary>Takes messages off a test's run queue the way the queue trigger does.</summary>
public static class QueueRuns
{
    /// <summary>
    /// Processes every message until the queue is empty, visible or not (a message queued again with a delay is waited for),
    /// deleting each first; returns the records, <see langword="null"/> for each message that ran nothing.
    /// </summary>
    public static async Task<List<RunRecord?>> DrainAsync(QueueClient queue, QueuedSyncProcessor processor, TimeSpan timeout)
    {
        var results = new List<RunRecord?>();
        using var deadline = new CancellationTokenSource(timeout);
        while ((await queue.GetPropertiesAsync(deadline.Token)).Value.ApproximateMessagesCount > 0)
        {
            var message = (await queue.ReceiveMessageAsync(cancellationToken: deadline.Token)).Value;
            if (message is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);   // only invisible ones are left: wait for them
                continue;
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, deadline.Token);
            results.Add(await processor.ProcessAsync(RunMessage.Parse(message.Body), deadline.Token));
            if (results.Count > 50)
            {
                throw new InvalidOperationException("More than 50 messages: the sync does not converge.");
            }
        }

        return results;
    }
}

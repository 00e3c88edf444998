using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Tributary.Azure.Queue;
using Tributary.FunctionsHost.Hosting;

namespace Tributary.FunctionsHost.Functions;

/// <summary>Runs syncs and their continuations from the <c>tributary-runs</c> queue.</summary>
/// <param name="processor">Runs the message and queues a paused run's continuation.</param>
public sealed class RunSyncFunction(QueuedSyncProcessor processor)
{
    /// <summary>
    /// Runs one message: a duplicate is dropped, a busy connector sends it back to the queue with a delay, a configuration error
    /// leaves one failed run record and is not retried, a transient error is retried in the processor. Only what the processor
    /// cannot handle is thrown: the queue retries it, and after <c>maxDequeueCount</c> attempts moves it to the poison queue.
    /// </summary>
    [Function("RunSync")]
    public Task Run(
        [QueueTrigger(RunQueue.DefaultName, Connection = StorageConnection.Name)] QueueMessage message,
        CancellationToken cancellationToken) =>
        processor.ProcessAsync(RunMessage.Parse(message.Body), cancellationToken);
}

/// <summary>Leaves a failed run record for each message that reached <c>tributary-runs-poison</c>.</summary>
/// <param name="recorder">Writes the record.</param>
public sealed class PoisonedRunFunction(PoisonedRunRecorder recorder)
{
    /// <summary>Records the poisoned message's sync as failed.</summary>
    [Function("RecordPoisonedRun")]
    public Task Run(
        [QueueTrigger(RunQueue.DefaultPoisonName, Connection = StorageConnection.Name)] QueueMessage message,
        CancellationToken cancellationToken) =>
        recorder.RecordAsync(message.Body, RunQueue.DefaultPoisonName, cancellationToken);
}

using Azure.Storage.Queues.Models;
using Tributary.Azure.Queue;

namespace Tributary.FunctionsHost.Tests.Support;

/// <summary>Queue messages as the queue trigger binds them.</summary>
public static class QueueMessages
{
    public static QueueMessage Of(RunMessage message, long dequeueCount = 1) => Of(message.ToBinaryData(), dequeueCount);

    public static QueueMessage Of(BinaryData body, long dequeueCount = 1) =>
        QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "pop-receipt", body, dequeueCount);
}

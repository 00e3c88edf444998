using Azure;
using Azure.Storage.Queues;

namespace Tributary.Azure.Queue;

/// <summary>
/// Puts <see cref="RunMessage"/>s on the run queue (<c>tributary-runs</c>) that the Functions host's queue trigger reads.
/// Messages are base64-encoded, the trigger's default encoding: give it a <see cref="QueueClient"/> made with
/// <see cref="CreateClientOptions"/>.
/// </summary>
public sealed class RunQueue
{
    /// <summary>The queue's name in the infrastructure: <c>tributary-runs</c>.</summary>
    public const string DefaultName = "tributary-runs";

    /// <summary>Where the Functions host moves a message that failed every attempt: <c>tributary-runs-poison</c>.</summary>
    public const string DefaultPoisonName = DefaultName + "-poison";

    private readonly QueueClient _client;
    private volatile Task? _created;

    /// <summary>Creates the queue writer.</summary>
    /// <param name="client">The run queue, with <see cref="QueueMessageEncoding.Base64"/> (see <see cref="CreateClientOptions"/>).</param>
    public RunQueue(QueueClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>The queue's name.</summary>
    public string Name => _client.Name;

    /// <summary>Client options the queue trigger can read: base64 message encoding.</summary>
    public static QueueClientOptions CreateClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    /// <summary>Sends a run request; the queue is created first if it does not exist (Azurite, a new account).</summary>
    /// <param name="message">The run to ask for.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public Task EnqueueAsync(RunMessage message, CancellationToken cancellationToken) => EnqueueAsync(message, TimeSpan.Zero, cancellationToken);

    /// <summary>Sends a run request that stays invisible for <paramref name="delay"/>: a run that found its connector busy, tried again later.</summary>
    /// <param name="message">The run to ask for.</param>
    /// <param name="delay">How long the message stays invisible; zero or more, less than 7 days.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public async Task EnqueueAsync(RunMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(delay, TimeSpan.FromDays(7));
        var created = _created;
        if (created is not { IsCompletedSuccessfully: true })
        {
            _created = created = CreateAsync(cancellationToken);
        }

        await created;
        await _client.SendMessageAsync(message.ToBinaryData(), visibilityTimeout: delay > TimeSpan.Zero ? delay : null, cancellationToken: cancellationToken);
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // The identity may not create queues; the infrastructure did. A missing one fails the send clearly.
        }
    }
}

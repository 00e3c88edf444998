using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Runtime.State;

namespace Tributary.Azure.Queue;

/// <summary>
/// A request to run a connection, as it travels on the <c>tributary-runs</c> queue: UTF-8 JSON such as
/// <c>{"connection":"synthetic","trigger":"http","syncId":"0197…","requestedAt":"2026-11-27T07:00:00+00:00","continuation":0}</c>.
/// A paused run's continuation is the same message with trigger <c>continuation</c> and the continuation count one higher.
/// </summary>
/// <param name="Connection">The connection's id.</param>
/// <param name="Trigger">What asked for the run: <c>timer</c>, <c>http</c>, <c>webhook</c>, <c>continuation</c>.</param>
/// <param name="SyncId">The sync the run belongs to; every continuation carries it on, so one sync's runs share it.</param>
public sealed record RunMessage(string Connection, string Trigger, string SyncId)
{
    /// <summary>The largest message accepted: far more than a real one, far less than the queue's 64 KB.</summary>
    public const int MaxBytes = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>When the run was asked for.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>How many runs of this sync paused before this one; 0 for a sync's first run.</summary>
    public int Continuation { get; init; }

    /// <summary>A time budget shorter than the host's for every run of this sync (as the CLI's <c>--max-duration</c>); <see langword="null"/>: the host's.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>The message as UTF-8 JSON.</summary>
    public BinaryData ToBinaryData() => BinaryData.FromObjectAsJson(this, Json);

    /// <summary>The record of a run of this message that failed before it could start, ended at <paramref name="now"/>.</summary>
    public RunRecord FailedRun(DateTimeOffset now, string error, RunErrorKind kind) => new()
    {
        Id = Guid.CreateVersion7(now).ToString("N"),
        SyncId = SyncId,
        Connector = Connection,
        Trigger = Trigger,
        StartedAt = now,
        EndedAt = now,
        Outcome = RunOutcome.Failed,
        Error = error,
        ErrorKind = kind,
    };

    /// <summary>Reads a message from its UTF-8 JSON, or from base64 of it (how the queue stores messages by default).</summary>
    /// <exception cref="FormatException">The body is not a run message; the message says what is wrong.</exception>
    public static RunMessage Parse(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = body.ToMemory();
        if (bytes.Length > MaxBytes)
        {
            throw new FormatException($"A run message is at most {MaxBytes} bytes; this one is {bytes.Length}.");
        }

        var text = Encoding.UTF8.GetString(bytes.Span).Trim();
        if (!text.StartsWith('{'))
        {
            try
            {
                text = Encoding.UTF8.GetString(Convert.FromBase64String(text)).Trim();
            }
            catch (FormatException ex)
            {
                throw new FormatException("A run message is a JSON object (or base64 of one); this one is neither.", ex);
            }
        }

        RunMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<RunMessage>(text, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"A run message is a JSON object with connection, trigger and syncId: {ex.Message}", ex);
        }

        if (message is null || string.IsNullOrWhiteSpace(message.Connection) || string.IsNullOrWhiteSpace(message.Trigger) || string.IsNullOrWhiteSpace(message.SyncId))
        {
            throw new FormatException("A run message needs a connection, a trigger and a syncId.");
        }

        if (message.Continuation < 0 || message.MaxDuration <= TimeSpan.Zero)
        {
            throw new FormatException("A run message's continuation is 0 or more and its maxDuration, when given, is positive.");
        }

        return message;
    }
}

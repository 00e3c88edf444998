using System.Text.Json.Serialization;

namespace Tributary.Runtime.State;

/// <summary>How a run ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunOutcome>))]
public enum RunOutcome
{
    /// <summary>Still running — or the process died before it could say otherwise.</summary>
    Running,
    /// <summary>The connector's update finished and everything was committed.</summary>
    Succeeded,
    /// <summary>The time budget was spent; the last checkpoint is committed and the sync continues from it.</summary>
    Paused,
    /// <summary>The hard deadline passed without a checkpoint; what was written is kept, the state did not move.</summary>
    TimedOut,
    /// <summary>The sync failed; <see cref="RunRecord.Error"/> says why.</summary>
    Failed,
}

/// <summary>Operation counts of one table in one run.</summary>
public sealed class TableCounts
{
    /// <summary>Upserts applied.</summary>
    public long Upserts { get; set; }

    /// <summary>Updates applied (including those of unknown keys).</summary>
    public long Updates { get; set; }

    /// <summary>Deletes applied (including those of unknown keys).</summary>
    public long Deletes { get; set; }

    /// <summary>Truncates applied.</summary>
    public long Truncates { get; set; }

    /// <summary>Updates and deletes whose key did not exist: no-ops, counted and logged.</summary>
    public long UnknownKeys { get; set; }

    internal TableCounts Copy() => (TableCounts)MemberwiseClone();
}

/// <summary>The record every run leaves beside the state: what ran, when, how it ended and what it did.</summary>
public sealed class RunRecord
{
    /// <summary>Unique id of this run.</summary>
    public required string Id { get; init; }

    /// <summary>The sync this run belongs to: the id of its first run; continuations share it.</summary>
    public required string SyncId { get; init; }

    /// <summary>The connection's id: the key its runs are kept under (named <c>connector</c> since before connections; a connection
    /// named after its connector has the same id that connector had).</summary>
    public required string Connector { get; init; }

    /// <summary>What started it: <c>cli</c>, <c>timer</c>, <c>http</c>, <c>continuation</c>, …</summary>
    public required string Trigger { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it ended; <see langword="null"/> while running.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>How it ended.</summary>
    public RunOutcome Outcome { get; set; }

    /// <summary>Per destination table, the operations applied.</summary>
    public Dictionary<string, TableCounts> Tables { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Checkpoints committed.</summary>
    public int Checkpoints { get; set; }

    /// <summary>Tables created, columns added and columns widened.</summary>
    public int SchemaChanges { get; set; }

    /// <summary>When the last checkpoint of this run was saved.</summary>
    public DateTimeOffset? LastCheckpointAt { get; set; }

    /// <summary>Size in bytes of the last saved state.</summary>
    public long StateBytes { get; set; }

    /// <summary>
    /// Why it failed or timed out, and a note when its connector did not stop within the grace period after the run ended
    /// (whatever the outcome); <see langword="null"/> otherwise. Never holds a secret: every form of one is masked.
    /// </summary>
    public string? Error { get; set; }

    /// <summary>
    /// What kind of error failed the run — <see cref="RunErrorKind.Configuration"/> (not retried), <see cref="RunErrorKind.Transient"/>
    /// (retried with backoff) or <see cref="RunErrorKind.Fatal"/>; <see langword="null"/> unless <see cref="Outcome"/> is
    /// <see cref="RunOutcome.Failed"/>.
    /// </summary>
    public RunErrorKind? ErrorKind { get; set; }

    /// <summary>Total operations of one kind across tables.</summary>
    public long Total(Func<TableCounts, long> count) => Tables.Values.Sum(count);

    /// <summary>A copy whose table counts are copies too: what the record says now, for a save while the run goes on.</summary>
    internal RunRecord Copy() => new()
    {
        Id = Id,
        SyncId = SyncId,
        Connector = Connector,
        Trigger = Trigger,
        StartedAt = StartedAt,
        EndedAt = EndedAt,
        Outcome = Outcome,
        Checkpoints = Checkpoints,
        SchemaChanges = SchemaChanges,
        LastCheckpointAt = LastCheckpointAt,
        StateBytes = StateBytes,
        Error = Error,
        ErrorKind = ErrorKind,
        Tables = Tables.ToDictionary(p => p.Key, p => p.Value.Copy(), StringComparer.Ordinal),
    };
}

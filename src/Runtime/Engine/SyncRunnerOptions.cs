using Tributary.Runtime.Schema;

namespace Tributary.Runtime;

/// <summary>How the sync engine batches, bounds memory and guards state.</summary>
public sealed class SyncRunnerOptions
{
    /// <summary>
    /// Rows per table buffered before a batch is written. Default 491,520, four DuckDB row groups: DuckDB writes a
    /// transaction's full row groups straight into its database file, smaller ones go through its write-ahead log and are
    /// written again at its next checkpoint (measured with bench/: 1M rows 2.3 s at 50,000, 2.0 s at 122,880; 3M rows
    /// 5.4 s and 4.6 s). A change feed's updates to keys anywhere in a large table cost each batch in proportion to the
    /// table's vectors they touch, so fewer, larger batches cost less (bench/ interleaved, 10M rows: 32.7 s at 491,520,
    /// 66 s at 122,880; plain upserts 14.9 s and 15.2 s, peak memory 648 MB and 573 MB). A destination commit costs a few
    /// milliseconds, so much smaller batches spend their time committing.
    /// </summary>
    public int BatchSize { get; set; } = 491_520;

    /// <summary>
    /// Bytes of values per table buffered before a batch is written, whichever of this and <see cref="BatchSize"/> comes
    /// first; wide rows reach it first. Default 32 MiB. Across all tables the engine buffers at most twice
    /// <see cref="BatchSize"/> rows and twice these bytes, estimated from each value's size in the batch's vectors
    /// (text at two bytes a character).
    /// </summary>
    public long BatchBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Operations queued between the connector and the engine before the connector waits. Default 8,192.</summary>
    public int QueueCapacity { get; set; } = 8_192;

    /// <summary>Names of the system columns: <see cref="SystemColumns.Tributary"/> (default) or <see cref="SystemColumns.Fivetran"/>.</summary>
    public SystemColumns SystemColumns { get; set; } = SystemColumns.Tributary;

    /// <summary>The largest state a checkpoint may save, in bytes of UTF-8 JSON. Default 10 MB.</summary>
    public int MaxStateBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Consecutive runs stopped at the hard deadline without a checkpoint after which the connector is failed. Default 3.</summary>
    public int MaxRunsWithoutCheckpoint { get; set; } = 3;

    /// <summary>
    /// How long a run that has ended — paused, failed, timed out, or its lease lost — waits for the connector's task to stop
    /// after cancelling its token, before the run returns and its lease is released. Whatever the connector does after the
    /// end is refused either way; one that does not stop in time is logged and noted in the run record. Default 5 seconds:
    /// inside the margin the Functions host keeps after a run's hard deadline. At most 10 minutes.
    /// </summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What else counts as a transient error in a run record's <see cref="State.RunRecord.ErrorKind"/>, beside what
    /// <see cref="State.RunErrors.Classify"/> knows: a host's storage errors (5xx, timeouts). Optional.
    /// </summary>
    public Func<Exception, bool>? IsTransient { get; set; }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchBytes, 1024, nameof(BatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStateBytes, 2, nameof(MaxStateBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRunsWithoutCheckpoint, 1, nameof(MaxRunsWithoutCheckpoint));
        ArgumentOutOfRangeException.ThrowIfLessThan(StopGracePeriod, TimeSpan.Zero, nameof(StopGracePeriod));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(StopGracePeriod, TimeSpan.FromMinutes(10), nameof(StopGracePeriod));
        ArgumentNullException.ThrowIfNull(SystemColumns);
    }
}

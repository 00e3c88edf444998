using Azure.Storage.Blobs;

namespace Tributary.Destinations.Delta;

/// <summary>Where <see cref="DeltaDestination"/> keeps its lake, and how it sizes its files. Exactly one of <see cref="Folder"/> and <see cref="Container"/>.</summary>
public sealed class DeltaDestinationOptions
{
    /// <summary>
    /// A local folder that is the lake's root, for example <c>files/lake</c>; a relative path is resolved against the current
    /// directory, and the folder is created on the first write. Default: none.
    /// </summary>
    public string? Folder { get; init; }

    /// <summary>
    /// An Azure Blob / ADLS Gen2 container whose root is the lake's root (only the Blob API is used, so Azurite works too).
    /// Default: none.
    /// </summary>
    public BlobContainerClient? Container { get; init; }

    /// <summary>
    /// Rows a data file holds at most; a batch that leaves more rows in a table's rewritten range writes several files.
    /// Default: 1,000,000.
    /// </summary>
    public long TargetFileRows { get; init; } = 1_000_000;

    /// <summary>
    /// How many files smaller than <see cref="CompactionFileRows"/> a table may have before a write joins them into fewer,
    /// larger files (a commit that changes no data). Default: 32.
    /// </summary>
    public int CompactionThreshold { get; init; } = 32;

    /// <summary>Files with fewer rows than this count as small for compaction. Default: 250,000.</summary>
    public long CompactionFileRows { get; init; } = 250_000;

    /// <summary>
    /// Times a batch tries to commit, committed again or planned again each time another writer took the version it was
    /// about to take (after a short random pause, longer each time). Default: 10.
    /// </summary>
    public int MaxCommitAttempts { get; init; } = 10;

    /// <summary>
    /// Threads the destination's in-memory DuckDB engine runs a statement on. Default: one fewer than the machine's cores,
    /// at least one (as for the DuckDB destination).
    /// </summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>
    /// How long a data file stays after no version references it, for readers of older versions and writers still
    /// committing: vacuum (run by a write once every 100 versions of a table, and on a table's first write in a process)
    /// deletes files unreferenced for longer, such as those a writer that died before its commit left. The same pass then
    /// cleans the table's <c>_delta_log</c> up (commits and checkpoints older than <c>delta.logRetentionDuration</c>, 30 days
    /// by default, that no later version needs) and deletes the temp files a killed write left there once older than this.
    /// Default: 7 days.
    /// </summary>
    public TimeSpan VacuumRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The clock of commit and file times. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Rows of existing files a rewrite loads into the engine at once: a batch whose keys are in more files rewrites them
    /// in groups of about this many rows, one after the other, each with the part of the batch whose keys it holds, so
    /// its memory is bounded by a group, not by the table. Counted in rows (the files' statistics), not bytes: the engine
    /// holds rows uncompressed, and a file's Parquet size says little about that. Default (null):
    /// <see cref="TargetFileRows"/>, so a group is written back as about one file. Tests make it small.
    /// </summary>
    internal long? RewriteGroupRows { get; init; }

    /// <summary>Called with the rows in the engine's working table each time a group of a batch has been applied, or a compaction loaded files (tests).</summary>
    internal Action<long>? WorkingTableRows { get; init; }

    /// <summary>Checks that exactly one of <see cref="Folder"/> and <see cref="Container"/> is set and the sizes are positive.</summary>
    /// <exception cref="ArgumentException">The options name no lake, or both, or a size below one.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Folder) == (Container is null))
        {
            throw new ArgumentException(
                "The Delta destination needs exactly one lake: set either DeltaDestinationOptions.Folder (a local folder) or DeltaDestinationOptions.Container (a blob container), not both.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(TargetFileRows, 1, nameof(TargetFileRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(RewriteGroupRows ?? 1, 1, nameof(RewriteGroupRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(CompactionThreshold, 2, nameof(CompactionThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(CompactionFileRows, 1, nameof(CompactionFileRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCommitAttempts, 1, nameof(MaxCommitAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfLessThan(VacuumRetention, TimeSpan.FromHours(1), nameof(VacuumRetention));
    }
}

namespace Tributary.Runtime.State;

/// <summary>
/// How much of a connector's state history and run records a state store keeps. An entry goes once it is no longer among the
/// newest <c>…Count</c>, or once it is older than <c>…Days</c>, whichever comes first; a limit set to <see langword="null"/>
/// does not apply. The stores prune when a run ends (its record is saved with an outcome other than
/// <see cref="RunOutcome.Running"/>). On Azure the storage account's lifecycle policy deletes by the same ages, so the two
/// agree (infra: <c>stateHistoryRetentionDays</c>, <c>runRecordRetentionDays</c>).
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>The newest checkpoints kept in the state history (what <c>state history</c> lists and <c>state rollback</c> can
    /// return to). Default 100.</summary>
    public int? HistoryCount { get; set; } = 100;

    /// <summary>Checkpoints older than this many days are deleted. Default 30.</summary>
    public int? HistoryDays { get; set; } = 30;

    /// <summary>The newest run records kept. Default 200 (a connector synced every 15 minutes keeps two days of runs).</summary>
    public int? RunCount { get; set; } = 200;

    /// <summary>Run records of runs that started more than this many days ago are deleted. Default 30.</summary>
    public int? RunDays { get; set; } = 30;

    /// <summary>Throws when a limit that is set is below 1, or a number of days is above 36,500 (the lifecycle policy's limit).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public void Validate()
    {
        Check(HistoryCount, nameof(HistoryCount), int.MaxValue);
        Check(HistoryDays, nameof(HistoryDays), MaxDays);
        Check(RunCount, nameof(RunCount), int.MaxValue);
        Check(RunDays, nameof(RunDays), MaxDays);
    }

    /// <summary>Whether the checkpoint at <paramref name="index"/> of the history (0 = newest), saved at <paramref name="savedAt"/>
    /// (<see langword="null"/>: unknown, so kept by age), goes at <paramref name="now"/>.</summary>
    public bool PrunesCheckpoint(int index, DateTimeOffset? savedAt, DateTimeOffset now) => Expired(index, savedAt, now, HistoryCount, HistoryDays);

    /// <summary>Whether the run record at <paramref name="index"/> of the runs (0 = newest), of a run that started at
    /// <paramref name="startedAt"/>, goes at <paramref name="now"/>.</summary>
    public bool PrunesRun(int index, DateTimeOffset startedAt, DateTimeOffset now) => Expired(index, startedAt, now, RunCount, RunDays);

    private static bool Expired(int index, DateTimeOffset? madeAt, DateTimeOffset now, int? count, int? days) =>
        index >= count || (madeAt is { } made && days is { } age && now - made > TimeSpan.FromDays(age));

    private const int MaxDays = 36500;

    private static void Check(int? value, string name, int max)
    {
        if (value is { } set)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(set, 1, "Retention." + name);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(set, max, "Retention." + name);
        }
    }
}

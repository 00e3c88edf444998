namespace Tributary.Runtime.State;

/// <summary>Which page of a connector's run records to read (<see cref="IStateStore.ListRunsAsync(string, RunQuery, CancellationToken)"/>).</summary>
/// <param name="Limit">At most this many records, at least 1.</param>
/// <param name="SyncId">Only the runs of this sync; all runs when <see langword="null"/>.</param>
/// <param name="After">The <see cref="RunPage.Next"/> of the page before; the newest runs when <see langword="null"/>.</param>
public sealed record RunQuery(int Limit, string? SyncId = null, string? After = null)
{
    /// <summary>Throws when <see cref="Limit"/> is below 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is below 1.</exception>
    public void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(Limit, 1, nameof(Limit));
}

/// <summary>A page of run records, newest first.</summary>
/// <param name="Runs">The records; only these were read from the store.</param>
/// <param name="Next">Where the next page starts (pass it as <see cref="RunQuery.After"/>); <see langword="null"/> when no run is left.</param>
public sealed record RunPage(IReadOnlyList<RunRecord> Runs, string? Next);

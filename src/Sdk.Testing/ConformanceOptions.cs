namespace Tributary.Sdk.Testing;

/// <summary>What <see cref="Conformance.CheckAsync"/> runs the connector with, and its limits.</summary>
public sealed class ConformanceOptions
{
    /// <summary>The connection's configuration; empty by default.</summary>
    public IReadOnlyDictionary<string, string> Configuration { get; init; } = new Dictionary<string, string>();

    /// <summary>The connection's secrets, stored before every sync; none may appear in state, run records or logs.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>Other values that must never be saved or logged: the access tokens a fake API issues, say.</summary>
    public IReadOnlyCollection<string> SensitiveValues { get; init; } = [];

    /// <summary>
    /// A new transport per warehouse the checks sync into — an in-memory fake of the source's API over the same unchanged
    /// data — through which every HTTP request of the connector goes; none (real sockets) when null.
    /// </summary>
    public Func<HttpMessageHandler>? HttpHandler { get; init; }

    /// <summary>The connection's id; the connector's registered name when null, else <c>conformance</c>.</summary>
    public string? Connection { get; init; }

    /// <summary>The clock's start in every sync; <see cref="ConnectorHarness.DefaultNow"/> by default.</summary>
    public DateTimeOffset Now { get; init; } = ConnectorHarness.DefaultNow;

    /// <summary>The most upserts, updates, deletes and truncates allowed before the first checkpoint, between two, or after
    /// the last. Default 10,000: a sync that pauses under a time budget resumes from its last checkpoint.</summary>
    public int MaxOperationsBetweenCheckpoints { get; init; } = 10_000;

    /// <summary>The longest time on the clock allowed between checkpoints (a fake source that advances the clock as a slow
    /// API would makes this meaningful); unchecked when null.</summary>
    public TimeSpan? MaxTimeBetweenCheckpoints { get; init; }

    /// <summary>The most checkpoints to restart from, spread over the sync; default 20.</summary>
    public int MaxReplays { get; init; } = 20;

    /// <summary>How many syncs to kill at a random operation and rerun; default 5.</summary>
    public int KilledSyncs { get; init; } = 5;

    /// <summary>Seeds the choice of kill points, so a failure repeats.</summary>
    public int Seed { get; init; } = 1;
}

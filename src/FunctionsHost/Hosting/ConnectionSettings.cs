using Tributary.FunctionsHost.Scheduling;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>
/// A connection: a configured instance of a connector, from the app settings <c>Connections__&lt;id&gt;__…</c>. Its id keys
/// its state, history, lease, run records, secrets (Key Vault <c>&lt;id&gt;--&lt;name&gt;</c>) and schedule marker.
/// </summary>
/// <param name="Id">The id, lower snake case, at most 63 characters: the section name.</param>
/// <param name="Connector">The connector type's registered name: <c>Connector</c>, required.</param>
/// <param name="Description">The connector type's one-line description.</param>
/// <param name="Enabled">Whether the scheduler runs it: <c>Enabled</c>, <c>true</c> or <c>false</c>, default <see langword="true"/>.
/// A disabled connection can still be synced on demand.</param>
/// <param name="Schedule">Its NCRONTAB schedule as written (<c>Schedule</c>), or <see langword="null"/>: synced on demand only.</param>
/// <param name="Destination">Where its rows go: <c>Destination</c>, default <c>duckdb</c>.</param>
/// <param name="Schema">The destination schema: <c>Schema</c>, default the id.</param>
/// <param name="Configuration">Its configuration: the keys under <c>Configuration</c>.</param>
public sealed record ConnectionSettings(
    string Id,
    string Connector,
    string? Description,
    bool Enabled,
    string? Schedule,
    string Destination,
    string Schema,
    IReadOnlyDictionary<string, string> Configuration)
{
    /// <summary>Why <see cref="Schedule"/> cannot be scheduled; <see langword="null"/> when it can, or when there is none.</summary>
    public string? ScheduleError { get; init; }

    /// <summary>The parsed schedule; <see langword="null"/> when there is none or it is malformed.</summary>
    internal CronSchedule? ParsedSchedule { get; init; }
}

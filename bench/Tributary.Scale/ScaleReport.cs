using System.Globalization;

namespace Tributary.Scale;

/// <summary>What a simulation showed: its figures, and every invariant it broke (none, when it passed).</summary>
internal sealed record ScaleReport
{
    public required ScaleOptions Options { get; init; }

    public int DueTimes { get; init; }

    public int Syncs { get; init; }

    public int Runs { get; init; }

    public int PausedSyncs { get; init; }

    public int OpenRuns { get; init; }

    public long Rows { get; init; }

    public TimeSpan LatencyP50 { get; init; }

    public TimeSpan LatencyP99 { get; init; }

    public TimeSpan LatencyMax { get; init; }

    public long Requests { get; init; }

    public double RequestsPerConnectionHour { get; init; }

    public Kill? Kill { get; init; }

    public TimeSpan WallTime { get; init; }

    public required IReadOnlyList<string> Failures { get; init; }

    public void Print(TextWriter writer)
    {
        var o = Options;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            instances {o.Instances}, connections {o.Connections}, simulated minutes {o.Minutes}, run budget {o.Budget.TotalMilliseconds} ms, wall time {WallTime.TotalSeconds:F1} s
            kill: {(Kill is null ? "none" : Kill.ToString())}
            due times queued: {DueTimes} (each once: {(Failures.Any(static f => f.Contains("due times", StringComparison.Ordinal)) ? "NO" : "yes")})
            syncs: {Syncs}, runs: {Runs}, syncs that paused and continued: {PausedSyncs}, runs left open by the kill: {OpenRuns}
            rows in the lake (per connection, summed): {Rows}
            queue latency (due time to first run start): p50 {LatencyP50.TotalSeconds:F2} s, p99 {LatencyP99.TotalSeconds:F2} s, max {LatencyMax.TotalSeconds:F2} s
            storage transactions: {Requests}, per connection-hour {RequestsPerConnectionHour:F1}
            invariants broken: {Failures.Count}
            """));
        foreach (var failure in Failures.Take(50))
        {
            writer.WriteLine("  " + failure);
        }
    }
}

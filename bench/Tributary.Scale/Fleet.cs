using System.Globalization;
using Cronos;

namespace Tributary.Scale;

/// <summary>One simulated connection: its id (also its schema), connector type, schedule, and for <c>synthetic</c> its rows.</summary>
internal sealed record SimulatedConnection(string Id, string Connector, string Schedule, int Rows, int CheckpointEvery)
{
    /// <summary>The due times of the schedule from <paramref name="from"/> through <paramref name="to"/>, both included.</summary>
    public IReadOnlyList<DateTimeOffset> DueTimes(DateTimeOffset from, DateTimeOffset to) =>
        [.. CronExpression.Parse(Schedule, CronFormat.IncludeSeconds).GetOccurrences(from, to, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: true)];
}

/// <summary>
/// The simulated connections: mostly <c>synthetic</c>, every one with its own row count (so a row in the wrong schema shows)
/// and a checkpoint every 25 to 100 rows, and some <c>hello</c>; schedules every 1, 2, 5, 10, 15, 30 and 60 minutes (the longer ones more often), each
/// at its own offset within its interval. The same count always gives the same fleet.
/// </summary>
internal static class Fleet
{
    private static readonly int[] Intervals = [1, 2, 5, 10, 15, 30, 60, 60, 30, 15, 10, 60];

    public static IReadOnlyList<SimulatedConnection> Create(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var connections = new List<SimulatedConnection>(count);
        for (var i = 0; i < count; i++)
        {
            var interval = Intervals[i % Intervals.Length];
            var offset = i * 13 % interval;
            var schedule = interval switch
            {
                1 => "0 * * * * *",
                60 => string.Create(CultureInfo.InvariantCulture, $"0 {offset} * * * *"),
                _ => string.Create(CultureInfo.InvariantCulture, $"0 {offset}/{interval} * * * *"),
            };
            var id = string.Create(CultureInfo.InvariantCulture, $"c{i:D3}");
            connections.Add(i % 5 == 4
                ? new SimulatedConnection(id, "hello", schedule, 0, 0)
                : new SimulatedConnection(id, "synthetic", schedule, 300 + (i * 37 % 1700), 25 + (i % 4 * 25)));
        }

        return connections;
    }

    /// <summary>The app settings of <paramref name="connections"/>: <c>Connections:&lt;id&gt;:…</c>.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(IEnumerable<SimulatedConnection> connections)
    {
        foreach (var connection in connections)
        {
            var prefix = "Connections:" + connection.Id + ":";
            yield return new(prefix + "Connector", connection.Connector);
            yield return new(prefix + "Schedule", connection.Schedule);
            if (connection.Connector == "synthetic")
            {
                yield return new(prefix + "Configuration:rows", connection.Rows.ToString(CultureInfo.InvariantCulture));
                yield return new(prefix + "Configuration:checkpoint_every", connection.CheckpointEvery.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}

using System.Globalization;

namespace Tributary.Scale;

/// <summary>What to simulate: instances, connections, simulated minutes, the run budget, and the minute (if any) at which one
/// instance is killed.</summary>
internal sealed record ScaleOptions
{
    public int Instances { get; init; } = 3;

    public int Connections { get; init; } = 200;

    public int Minutes { get; init; } = 60;

    /// <summary>Each run's time budget (real time): a sync not done within it pauses at its next checkpoint and continues.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The simulated minute during whose drain the last instance is SIGKILLed; none when <see langword="null"/>.</summary>
    public int? KillAtMinute { get; init; }

    /// <summary>The first simulated minute.</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Parses <c>--instances N --connections N --minutes N --budget-ms N --kill-at MINUTE</c>.</summary>
    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScaleOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"'{args[i]}' needs a value.");
            }

            var value = int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? number
                : throw new ArgumentException($"'{args[i]} {args[i + 1]}': the value must be a whole number above 0.");
            options = args[i] switch
            {
                "--instances" => options with { Instances = value },
                "--connections" => options with { Connections = value },
                "--minutes" => options with { Minutes = value },
                "--budget-ms" => options with { Budget = TimeSpan.FromMilliseconds(value) },
                "--kill-at" => options with { KillAtMinute = value },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --instances, --connections, --minutes, --budget-ms, --kill-at."),
            };
        }

        if (options.KillAtMinute >= options.Minutes || (options.KillAtMinute is not null && options.Instances < 2))
        {
            throw new ArgumentException("--kill-at must be a minute before --minutes, with at least 2 instances.");
        }

        return options;
    }
}

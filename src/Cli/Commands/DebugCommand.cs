using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Loading;
using Tributary.Runtime;
using Tributary.Runtime.State;

namespace Tributary.Cli.Commands;

/// <summary><c>tributary debug &lt;connector&gt; [--connection ID]</c>: one sync of a connection into the local warehouse, continued
/// until it ends, then the summary.</summary>
internal static class DebugCommand
{
    public static Command Create(ConnectorSource connectors, CliConsole console, WorkspaceOptions workspaceOptions)
    {
        var connector = CliOptions.Connector();
        var connection = CliOptions.Connection();
        var configuration = CliOptions.Configuration();
        var maxDuration = new Option<string?>("--max-duration")
        {
            Description = "Time budget per run (90s, 5m, 1h): the first checkpoint after it commits and pauses; the sync continues in a new run.",
        };
        var command = new Command("debug", "Run a connector once against the local DuckDB warehouse and print an operations summary.")
        {
            connector, connection, configuration, maxDuration,
        };
        workspaceOptions.AddTo(command, warehouse: true);
        connectors.AddTo(command);
        command.SetAction(connectors.Guarded(console, async (result, catalog, cancellationToken) =>
        {
            var (name, id) = CliOptions.Resolve(result, catalog, connector, connection);
            var settings = CliOptions.LoadConfiguration(result.GetValue(configuration));
            var budget = CliOptions.ParseDuration(result.GetValue(maxDuration));
            await using var workspace = workspaceOptions.Open(result, console.Time);
            using var loggerFactory = LoggerFactory.Create(builder => builder
                .SetMinimumLevel(LogLevel.Information)
                .AddProvider(new TextWriterLoggerProvider(console.Error, LogLevel.Information)));
            var runner = new SyncRunner(workspace.Warehouse, workspace.Store, WorkspaceOptions.RunnerOptions(workspace.Store), workspace.Secrets, console.Time, loggerFactory);
            var progress = new ProgressPrinter(console);

            var runs = new List<RunRecord>();
            string? syncId = null;
            while (true)
            {
                var run = await runner.RunAsync(
                    new SyncRequest(id, catalog.Create(name), settings)
                    {
                        Trigger = runs.Count == 0 ? "cli" : "continuation",
                        SyncId = syncId,
                        TimeBudget = budget,
                        Progress = progress,
                    },
                    cancellationToken);
                runs.Add(run);
                syncId = run.SyncId;
                progress.Done(run);
                if (run.Outcome is not (RunOutcome.Paused or RunOutcome.TimedOut))
                {
                    break;
                }

                await console.Error.WriteLineAsync(run.Outcome == RunOutcome.Paused
                    ? $"Run paused at a checkpoint after its {budget} budget; continuing."
                    : $"Run stopped at its hard deadline without a checkpoint; retrying from the last checkpoint.");
            }

            await Summary.WriteAsync(console.Out, runs, workspace.WarehouseName);
            var last = runs[^1];
            if (last.Outcome == RunOutcome.Succeeded)
            {
                await console.Out.WriteLineAsync("Sync SUCCEEDED");
                return 0;
            }

            await console.Out.WriteLineAsync($"Sync FAILED: {last.Error}");
            return 1;
        }));
        return command;
    }

    /// <summary>Prints rows per table and the rate, at most once a second, to the error writer.</summary>
    private sealed class ProgressPrinter(CliConsole console) : IProgress<RunRecord>
    {
        private readonly long _started = console.Time.GetTimestamp();
        private long _lastPrinted;

        public void Report(RunRecord value)
        {
            var now = console.Time.GetTimestamp();
            if (_lastPrinted != 0 && console.Time.GetElapsedTime(_lastPrinted, now) < TimeSpan.FromSeconds(1))
            {
                return;
            }

            _lastPrinted = now;
            var seconds = Math.Max(console.Time.GetElapsedTime(_started, now).TotalSeconds, 0.001);
            foreach (var (table, counts) in value.Tables)
            {
                var operations = counts.Upserts + counts.Updates + counts.Deletes;
                console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {table}: {operations:N0} rows ({operations / seconds:N0} rows/s)"));
            }
        }

        public void Done(RunRecord run) => _lastPrinted = 0;
    }
}

/// <summary>The operations summary that ends a debug run, summed over its continuations.</summary>
internal static class Summary
{
    public static async Task WriteAsync(TextWriter output, IReadOnlyList<RunRecord> runs, string warehouse)
    {
        long Sum(Func<TableCounts, long> count) => runs.Sum(r => r.Total(count));
        (string Name, long Calls)[] rows =
        [
            ("Upserts", Sum(c => c.Upserts)),
            ("Updates", Sum(c => c.Updates)),
            ("Deletes", Sum(c => c.Deletes)),
            ("Truncates", Sum(c => c.Truncates)),
            ("SchemaChanges", runs.Sum(r => r.SchemaChanges)),
            ("Checkpoints", runs.Sum(r => r.Checkpoints)),
        ];
        await output.WriteLineAsync();
        await output.WriteLineAsync("Operation     | Calls");
        await output.WriteLineAsync("------------- + ------------");
        foreach (var (name, calls) in rows)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name,-13} | {calls}"));
        }

        var unknown = Sum(c => c.UnknownKeys);
        if (unknown > 0)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"({unknown} update/delete operations named keys that do not exist and changed nothing)"));
        }

        await output.WriteLineAsync($"Warehouse: {warehouse} (schema {runs[0].Connector})");
    }
}

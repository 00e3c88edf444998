using System.Diagnostics;
using System.Globalization;
using Tributary.Cli.Tests.Support;
using Tributary.Runtime.State;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

/// <summary>
/// The crash-safety promise, end to end: the real <c>tributary</c> process killed with SIGKILL at arbitrary moments
/// and rerun ends with every row exactly once, and no kill ever leaves the state ahead of the data.
/// </summary>
public sealed class KillAndRerunTests : IDisposable
{
    private const long Rows = 1_000_000;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Debug_SyntheticKilledAtRandomMomentsThenRerun_ConvergesToExactlyTheRows()
    {
        var configuration = _cli.Configuration($$"""{"rows": "{{Rows}}", "checkpoint_every": "50000"}""");
        var random = new Random(20261127);   // the moments vary; the invariants hold at every one of them
        for (var kill = 0; kill < 4; kill++)
        {
            using var process = Start(configuration);
            var exited = process.WaitForExit(random.Next(300, 2500));
            if (!exited)
            {
                process.Kill();   // SIGKILL: no finally blocks, no flush, no lease release
                await process.WaitForExitAsync();
            }

            await AssertStateNotAheadOfDataAsync();
        }

        using (var last = Start(configuration))
        {
            var output = await last.StandardOutput.ReadToEndAsync();
            await last.WaitForExitAsync();
            Assert.True(last.ExitCode == 0, output);
            Assert.EndsWith("Sync SUCCEEDED", output.Trim(), StringComparison.Ordinal);
        }

        var summary = await _cli.Warehouse.QueryAsync(
            """
            SELECT count(*) AS total,
                   count(DISTINCT id) AS ids,
                   count(*) FILTER (WHERE NOT _tributary_deleted) AS live,
                   min(id) AS first, max(id) AS last,
                   count(*) FILTER (WHERE name <> 'name-' || id
                                       OR amount <> id * 0.25
                                       OR flag <> (id % 3 = 0)
                                       OR created_at <> TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(id)) AS wrong
            FROM synthetic.synthetic_rows
            """,
            CancellationToken.None);
        var row = summary[0];
        Assert.Equal(Rows, Convert.ToInt64(row["total"], CultureInfo.InvariantCulture));
        Assert.Equal(Rows, Convert.ToInt64(row["ids"], CultureInfo.InvariantCulture));
        Assert.Equal(Rows, Convert.ToInt64(row["live"], CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(row["first"], CultureInfo.InvariantCulture));
        Assert.Equal(Rows - 1, Convert.ToInt64(row["last"], CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(row["wrong"], CultureInfo.InvariantCulture));
        var state = await new FileStateStore(_cli.Files).ReadAsync("synthetic", CancellationToken.None);
        Assert.Equal(Rows, state.State["next"]!.GetValue<long>());
    }

    private Process Start(string configuration)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _cli.Root,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "tributary.dll"), "debug", "synthetic", "--configuration", configuration, "--files", _cli.Files })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    // Every row the saved cursor claims is in the warehouse.
    private async Task AssertStateNotAheadOfDataAsync()
    {
        var state = await new FileStateStore(_cli.Files).ReadAsync("synthetic", CancellationToken.None);
        var next = state.State["next"]?.GetValue<long>() ?? 0;
        if (next == 0)
        {
            return;
        }

        var present = await _cli.Warehouse.QueryAsync($"SELECT count(*) AS n FROM synthetic.synthetic_rows WHERE id < {next}", CancellationToken.None);
        Assert.Equal(next, Convert.ToInt64(present[0]["n"], CultureInfo.InvariantCulture));
    }
}

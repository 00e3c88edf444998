using System.Diagnostics;
using System.Globalization;
using Tributary.Runtime.State;
using Tributary.Testing;
using Xunit.Abstractions;

namespace Tributary.Destinations.Postgres.Tests;

/// <summary>
/// The crash-safety promise against PostgreSQL, end to end: the real <c>tributary</c> process, writing to PostgreSQL, killed
/// with SIGKILL at arbitrary moments and rerun, ends with every row exactly once, and no kill ever leaves the state ahead of
/// the data.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KillAndRerunTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private const long Rows = 1_000_000;
    private readonly string _root = Directory.CreateTempSubdirectory("tributary-pg-kill-").FullName;

    private string Files => Path.Combine(_root, "files");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Debug_SyntheticIntoPostgresKilledAtRandomMomentsThenRerun_ConvergesToExactlyTheRows()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var connectionString = await postgres.Server.CreateDatabaseAsync(timeout.Token);
        var reader = new PostgresWarehouseReader(connectionString);
        var configuration = Path.Combine(_root, "configuration.json");
        await File.WriteAllTextAsync(configuration, $$"""{"rows": "{{Rows}}", "checkpoint_every": "50000"}""", timeout.Token);
        var random = new Random(20261128);   // the moments vary; the invariants hold at every one of them
        for (var kill = 0; kill < 6; kill++)
        {
            using var process = Start(configuration, connectionString);
            var moment = random.Next(400, 2000);
            var exited = process.WaitForExit(moment);
            if (!exited)
            {
                process.Kill();   // SIGKILL: no finally blocks, no flush, no lease release, a COPY cut off mid-stream
                await process.WaitForExitAsync(timeout.Token);
            }

            var next = await AssertStateNotAheadOfDataAsync(reader, timeout.Token);
            output.WriteLine(exited ? $"run {kill}: exited by itself with {process.ExitCode}; next = {next}" : $"run {kill}: killed after {moment} ms; next = {next}");
        }

        using (var last = Start(configuration, connectionString))
        {
            var output = await last.StandardOutput.ReadToEndAsync(timeout.Token);
            await last.WaitForExitAsync(timeout.Token);
            Assert.True(last.ExitCode == 0,
                $"tributary debug synthetic --destination postgres exited with {last.ExitCode} (the CLI needs --destination postgres and --connection-string):\n{output}");
            Assert.EndsWith("Sync SUCCEEDED", output.Trim(), StringComparison.Ordinal);
        }

        var summary = (await reader.RowsAsync(
            """
            SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE NOT _tributary_deleted), min(id), max(id),
                   count(*) FILTER (WHERE name IS DISTINCT FROM 'name-' || id
                                       OR amount IS DISTINCT FROM id * 0.25
                                       OR flag IS DISTINCT FROM (id % 3 = 0)
                                       OR created_at IS DISTINCT FROM TIMESTAMPTZ '2024-01-01 00:00:00+00' + id * INTERVAL '1 second')
            FROM synthetic.synthetic_rows
            """, timeout.Token)).Single();
        Assert.Equal([Rows, Rows, Rows, 0L, Rows - 1, 0L], summary.Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)));
        var state = await new FileStateStore(Files).ReadAsync("synthetic", timeout.Token);
        Assert.Equal(Rows, state.State["next"]!.GetValue<long>());
    }

    private Process Start(string configuration, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "tributary.dll"), "debug", "synthetic", "--destination", "postgres",
            "--connection-string", connectionString, "--configuration", configuration, "--files", Files,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    // Every row the saved cursor claims is in the warehouse.
    private async Task<long> AssertStateNotAheadOfDataAsync(WarehouseReader reader, CancellationToken cancellationToken)
    {
        var state = await new FileStateStore(Files).ReadAsync("synthetic", cancellationToken);
        var next = state.State["next"]?.GetValue<long>() ?? 0;
        if (next > 0)
        {
            var present = await reader.ScalarAsync($"SELECT count(*) FROM synthetic.synthetic_rows WHERE id < {next}", cancellationToken);
            Assert.Equal(next, Convert.ToInt64(present, CultureInfo.InvariantCulture));
        }

        return next;
    }
}

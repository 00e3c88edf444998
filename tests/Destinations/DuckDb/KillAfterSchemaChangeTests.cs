using System.Diagnostics;
using Tributary.Destinations.DuckDb.Crash;
using Tributary.Runtime.Destinations;
using Tributary.Testing;

namespace Tributary.Destinations.DuckDb.Tests;

/// <summary>
/// A real process applies one schema change through <see cref="DuckDbDestination"/>, is SIGKILLed right after the change's
/// commit and before DuckDB checkpoints it, and a rerun opens the warehouse and converges: every kind of schema change
/// the engine makes leaves a write-ahead log that DuckDB replays.
/// </summary>
public sealed class KillAfterSchemaChangeTests : IDisposable
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(2);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tributary-duckdb-kill-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Scenarios => [.. KillScenario.Names];

    private string DatabasePath => Path.Combine(_folder, "warehouse.db");

    private DuckDbWarehouseReader Reader => new(DatabasePath);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task WriteAsync_KilledAfterSchemaChangeBeforeCheckpoint_RerunOpensAndConverges(string name)
    {
        var scenario = KillScenario.Named(name);

        await RunAndKillAsync(name, checkpoint: false);
        Assert.True(new FileInfo(DatabasePath + ".wal") is { Exists: true, Length: > 0 }, "The change should be only in the write-ahead log when the kill lands.");

        await using (var rerun = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = DatabasePath }))
        {
            var table = Assert.Single(await rerun.GetTablesAsync(KillScenario.Schema, CancellationToken.None));
            Assert.Equal(scenario.Change.Table.Columns, table.Columns);
            Assert.Equal(scenario.Change.Table.PrimaryKey, table.PrimaryKey);

            // The rerun finds the change made and writes the same rows again, without it.
            var change = scenario.Change;
            await rerun.WriteAsync(
                new WriteBatch(change.Schema, change.Table, change.SystemColumns, OperationKind.Upsert, change.Columns, change.Values, change.RowCount, [], change.SyncedAt),
                CancellationToken.None);
        }

        var columns = string.Join(", ", KillScenario.Writable(scenario.Change.Table).Select(c => $"\"{c}\""));
        var rows = await Reader.RowsAsync($"SELECT {columns} FROM \"conn\".\"t\" ORDER BY id", CancellationToken.None);
        Assert.Equal(scenario.Expected.Select(Values.Show), rows.Select(Values.Show));
        if (name.EndsWith("to STRING", StringComparison.Ordinal))
        {
            Assert.Equal(rows[0][1], rows[^1][1]);   // the same value, converted by the widening and written after it
        }
    }

    [Fact]
    public async Task WriteAsync_KilledAfterWideningCommitted_WarehouseIsAlreadyCheckpointed()
    {
        await RunAndKillAsync("widen DOUBLE to STRING", checkpoint: true);

        Assert.False(new FileInfo(DatabasePath + ".wal") is { Exists: true, Length: > 0 }, "A batch with schema changes should be checkpointed once committed.");
        Assert.Equal(["-4.19533E+20", "0.30000000000000004", "NULL", "-4.19533E+20"],
            (await Reader.RowsAsync("SELECT v FROM \"conn\".\"t\" ORDER BY id", CancellationToken.None)).Select(r => Values.Show(r[0])));
    }

    [Fact]
    public async Task GetTablesAsync_WriteAheadLogDuckDbCannotReplay_FailsWithOneLineNamingTheLogAndKeepsIt()
    {
        await RunAndKillAsync("unreplayable", checkpoint: true);
        var wal = new FileInfo(DatabasePath + ".wal");
        var length = wal.Length;

        await using var rerun = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = DatabasePath });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => rerun.GetTablesAsync(KillScenario.Schema, CancellationToken.None));

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"write-ahead log {wal.FullName}", error.Message, StringComparison.Ordinal);
        Assert.Contains("every row committed since DuckDB's last checkpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was deleted or moved", error.Message, StringComparison.Ordinal);
        Assert.Contains("move", error.Message, StringComparison.Ordinal);
        wal.Refresh();
        Assert.Equal(length, wal.Length);
        Assert.True(File.Exists(DatabasePath));
    }

    /// <summary>Starts the child on <paramref name="scenario"/>, waits for its "ready" and kills it with SIGKILL.</summary>
    private async Task RunAndKillAsync(string scenario, bool checkpoint)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tributary.Destinations.DuckDb.Crash.dll"));
        start.ArgumentList.Add(scenario);
        start.ArgumentList.Add(DatabasePath);
        if (!checkpoint)
        {
            start.ArgumentList.Add("--no-checkpoint");
        }

        using var child = Process.Start(start)!;
        var errors = child.StandardError.ReadToEndAsync();
        try
        {
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(ChildTimeout);
            Assert.True(line == "ready", $"The child did not get ready (it said '{line}'): {(child.HasExited ? await errors : "")}");
        }
        finally
        {
            child.Kill();   // SIGKILL: DuckDB gets no chance to checkpoint
            await child.WaitForExitAsync();
        }
    }
}

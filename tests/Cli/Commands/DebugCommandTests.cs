using System.Globalization;
using Tributary.Cli.Tests.Support;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

public sealed class DebugCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Debug_Hello_PrintsSummaryAndLandsOneLiveRowWithSystemColumns()
    {
        var result = await _cli.RunAsync("debug", "hello");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Sync SUCCEEDED", result.LastLine);
        Assert.Contains("Upserts       | 1", result.Output, StringComparison.Ordinal);
        Assert.Contains("SchemaChanges | 1", result.Output, StringComparison.Ordinal);
        Assert.Contains("Checkpoints   | 1", result.Output, StringComparison.Ordinal);
        var columns = await _cli.Warehouse.ColumnTypesAsync("hello", "hello", CancellationToken.None);
        Assert.Equal("varchar", columns["message"]);
        Assert.Equal("timestamp with time zone", columns["_tributary_synced"]);
        Assert.Equal("boolean", columns["_tributary_deleted"]);
        Assert.Equal("varchar", columns["_tributary_id"]);
        var rows = await _cli.Warehouse.QueryAsync("SELECT message, _tributary_deleted, _tributary_synced FROM hello.hello", CancellationToken.None);
        var row = Assert.Single(rows);
        Assert.Equal("hello, world!", row["message"]);
        Assert.Equal(false, row["_tributary_deleted"]);
        Assert.Equal(_cli.Time.GetUtcNow(), row["_tributary_synced"]);
    }

    [Fact]
    public async Task Debug_SimpleThreeStepCursorFourTimes_FourthFailsAndChangesNothing()
    {
        for (var run = 1; run <= 3; run++)
        {
            Assert.Equal(0, (await _cli.RunAsync("debug", "simple_three_step_cursor")).ExitCode);
        }

        var before = await _cli.FingerprintAsync("simple_three_step_cursor", "hello_world");
        var fourth = await _cli.RunAsync("debug", "simple_three_step_cursor");

        Assert.Equal(1, fourth.ExitCode);
        Assert.StartsWith("Sync FAILED: ", fourth.LastLine, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.FingerprintAsync("simple_three_step_cursor", "hello_world"));
        var rows = await _cli.Warehouse.QueryAsync("SELECT id, message FROM simple_three_step_cursor.hello_world ORDER BY id", CancellationToken.None);
        Assert.Equal([10L, 20L, 30L], rows.Select(r => Convert.ToInt64(r["id"], CultureInfo.InvariantCulture)));
        var state = await _cli.RunAsync("state", "show", "simple_three_step_cursor");
        Assert.Contains("\"cursor\": 3", state.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_MaxDuration_PausesAtTheFirstCheckpointAfterTheBudgetAndContinues()
    {
        // The paced source moves the fake clock a second per 1,000 rows: with a 1.5 s budget each run
        // commits its second checkpoint after the budget and pauses there.
        var result = await _cli.RunAsync("debug", "paced", "--configuration", _cli.Configuration("""{"rows": "5000"}"""), "--max-duration", "1.5s");

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal("Sync SUCCEEDED", result.LastLine);
        Assert.Equal(2, result.Error.Split('\n').Count(l => l.StartsWith("Run paused at a checkpoint", StringComparison.Ordinal)));
        Assert.Contains("Upserts       | 5000", result.Output, StringComparison.Ordinal);
        Assert.Contains("Checkpoints   | 5", result.Output, StringComparison.Ordinal);
        var count = await _cli.Warehouse.QueryAsync("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM paced.paced_rows", CancellationToken.None);
        Assert.Equal(5000L, Convert.ToInt64(count[0]["n"], CultureInfo.InvariantCulture));
        Assert.Equal(5000L, Convert.ToInt64(count[0]["ids"], CultureInfo.InvariantCulture));
        var runs = (await _cli.RunAsync("runs", "paced")).Output;
        Assert.Equal(2, runs.Split('\n').Count(l => l.Contains(" Paused ", StringComparison.Ordinal)));
        Assert.Equal(1, runs.Split('\n').Count(l => l.Contains(" Succeeded ", StringComparison.Ordinal)));
    }
}

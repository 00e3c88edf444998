using Tributary.Cli.Tests.Support;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

public sealed class InspectCommandsTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task List_Always_NamesEveryExampleWithItsDescription()
    {
        var result = await _cli.RunAsync("list");

        Assert.Equal(0, result.ExitCode);
        var examples = new Tributary.Runtime.ConnectorCatalog(typeof(Tributary.Connectors.Hello.HelloConnector).Assembly);
        Assert.True(examples.Names.Count >= 55, $"Expected the 55 examples; found {examples.Names.Count}.");
        foreach (var name in examples.Names)
        {
            Assert.Contains($"{name} ", result.Output, StringComparison.Ordinal);
            Assert.Contains(examples.Describe(name)!, result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Schema_SpecifiedTypes_PrintsDeclaredTypesAndKey()
    {
        var result = await _cli.RunAsync("schema", "specified_types");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("specified_types.specified  primary key: _bool", result.Output, StringComparison.Ordinal);
        Assert.Contains("DECIMAL(15,2)", result.Output, StringComparison.Ordinal);
        Assert.Contains("UTC_DATETIME", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateHistoryAndRollback_AfterThreeRuns_RestoreAnEarlierCursor()
    {
        for (var run = 0; run < 3; run++)
        {
            Assert.Equal(0, (await _cli.RunAsync("debug", "simple_three_step_cursor")).ExitCode);
        }

        var history = await _cli.RunAsync("state", "history", "simple_three_step_cursor");
        Assert.Equal(3, history.Output.Trim().Split('\n').Length);
        Assert.Contains("{\"cursor\":1}", history.Output, StringComparison.Ordinal);

        var rollback = await _cli.RunAsync("state", "rollback", "simple_three_step_cursor", "1");
        Assert.Equal(0, rollback.ExitCode);
        var show = await _cli.RunAsync("state", "show", "simple_three_step_cursor");
        Assert.Contains("version 4", show.Output, StringComparison.Ordinal);
        Assert.Contains("\"cursor\": 1", show.Output, StringComparison.Ordinal);

        // The next sync starts from the rolled-back cursor: it reads the second row again.
        Assert.Equal(0, (await _cli.RunAsync("debug", "simple_three_step_cursor")).ExitCode);
        Assert.Contains("\"cursor\": 2", (await _cli.RunAsync("state", "show", "simple_three_step_cursor")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_UnknownVersion_FailsWithOneLine()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "hello")).ExitCode);

        var result = await _cli.RunAsync("state", "rollback", "hello", "42");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: The state history of 'hello' has no version '42'.", result.Error.Trim());
    }

    [Fact]
    public async Task Runs_AfterASuccessAndAFailure_ListsBothNewestFirst()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "configuration", "--configuration", _cli.Configuration("""{"my_key": "EKlFpH8sZmdhhZ9lGhezgMTwAw3_Y2e7wbco7Gxt3SA="}"""))).ExitCode);
        _cli.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await _cli.RunAsync("debug", "configuration")).ExitCode);

        var result = await _cli.RunAsync("runs", "configuration");

        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("Failed", lines[0], StringComparison.Ordinal);
        Assert.Contains("my_key", lines[1], StringComparison.Ordinal);
        Assert.Contains("Succeeded", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_FailedRun_NamesTheKindOfError()
    {
        Assert.Equal(1, (await _cli.RunAsync("debug", "configuration")).ExitCode);

        var result = await _cli.RunAsync("runs", "configuration");

        var error = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.StartsWith("    Configuration error: ", error, StringComparison.Ordinal);
        Assert.Contains("my_key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_AfterASync_DropsTablesAndStateSoTheNextSyncStartsOver()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "simple_three_step_cursor")).ExitCode);

        var reset = await _cli.RunAsync("reset", "simple_three_step_cursor");

        Assert.Equal(0, reset.ExitCode);
        Assert.False(await _cli.Warehouse.TableExistsAsync("simple_three_step_cursor", "hello_world", CancellationToken.None));
        Assert.False(File.Exists(_cli.StatePath("simple_three_step_cursor")));
        Assert.Equal(0, (await _cli.RunAsync("debug", "simple_three_step_cursor")).ExitCode);
        Assert.Contains("\"cursor\": 1", (await _cli.RunAsync("state", "show", "simple_three_step_cursor")).Output, StringComparison.Ordinal);
    }
}

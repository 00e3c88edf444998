using Xunit.Abstractions;

namespace Tributary.Scale.Tests;

/// <summary>
/// A small run of the scale simulation (bench/Tributary.Scale): three host instances as processes against one Azurite, on
/// one simulated clock, one of them SIGKILLed in the middle of a run. Needs Azurite (<c>npm ci</c>); fails without it.
/// </summary>
public sealed class ScaleSimulationTests(ITestOutputHelper output) : IAsyncLifetime, IAsyncDisposable
{
    private readonly AzuriteFixture _azurite = new();
    private DirectoryInfo? _work;

    [Fact]
    public async Task RunAsync_ThreeInstancesOneKilledMidRun_EveryDueTimeRunsOnceAndTablesConverge()
    {
        // 16 connections over 8 simulated minutes. At minute 5 six runs are due, among them the first syncs of c005 and c015
        // (485 and 855 rows, paused and continued); the victim drains first and takes up to four of them.
        var options = new ScaleOptions { Connections = 16, Minutes = 8, KillAtMinute = 5 };
        using var progress = new StringWriter();

        var report = await Coordinator.RunAsync(options, _azurite.ConnectionString, _work!.FullName, progress);

        report.Print(progress);
        output.WriteLine(progress.ToString());
        Assert.True(report.Failures.Count == 0, "Invariants broken:\n" + string.Join('\n', report.Failures));
        var expectedDueTimes = Fleet.Create(options.Connections)
            .Sum(c => c.DueTimes(options.Start, options.Start.AddMinutes(options.Minutes - 1)).Count);
        Assert.Equal(expectedDueTimes, report.DueTimes);
        Assert.Equal(expectedDueTimes, report.Syncs);
        Assert.NotNull(report.Kill);
        Assert.True(report.Kill.Started.StartsWith("c005 ", StringComparison.Ordinal) || report.Kill.Started.StartsWith("c015 ", StringComparison.Ordinal), $"Killed after {report.Kill.Started}; expected a first sync due at minute 5.");
        Assert.True(report.PausedSyncs > 0, "No sync paused: the budget is too long for the simulation to show continuations.");
        Assert.True(report.Requests > 0);
    }

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _work = Directory.CreateTempSubdirectory("tributary-scale-test-");
    }

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        _work?.Delete(recursive: true);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}

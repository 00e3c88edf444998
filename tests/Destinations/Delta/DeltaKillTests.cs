using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Tributary.Connectors.Synthetic;
using Tributary.Destinations.Delta.Log;
using Tributary.Destinations.Delta.Storage;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// A sync into a Delta lake SIGKILLed between a batch's upload and its commit (the child process
/// tests/Destinations/DeltaCrash): the state is that of the last commit, a rerun converges to every row once, and vacuum
/// collects the file the dead process left.
/// </summary>
public sealed class DeltaKillTests : IDisposable
{
    private const long Rows = 1000;
    private const long CheckpointEvery = 250;
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(2);
    private static readonly long[] Whole = [Rows, Rows, 0, Rows - 1];   // every row once

    private readonly string _folder = Directory.CreateTempSubdirectory("tributary-delta-kill-").FullName;

    private string LakeFolder => Path.Combine(_folder, "lake");

    private string StateFolder => Path.Combine(_folder, "state");

    private string TableFolder => Path.Combine(LakeFolder, "synthetic", "synthetic_rows");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Sync_KilledBetweenUploadAndCommit_StateAtLastCommitRerunConvergesVacuumCollectsTheUpload()
    {
        // The first checkpoint finds the writer idle and commits alone: version 0 holds rows 0–249, and its state is saved
        // before the next batch. Later checkpoints may be held and share a batch; the kill lands before version 1, whatever it holds.
        await RunAndKillAsync(stopBeforeCommit: 2);

        var store = new FileStateStore(StateFolder);
        Assert.Equal(250, (await store.ReadAsync("synthetic", default)).State["next"]!.GetValue<long>());
        Assert.Equal(new long[] { 250, 250, 0, 249 }, await SummaryAsync());
        var log = new DeltaTableLog(new FolderLakeStorage(LakeFolder), "synthetic/synthetic_rows");
        var orphans = DataFiles().Except((await log.LoadAsync(default))!.Files.Keys).ToList();
        Assert.NotEmpty(orphans);

        var runner = new SyncRunner(new DeltaDestination(new DeltaDestinationOptions { Folder = LakeFolder }), store);
        var rerun = await runner.RunAsync(new SyncRequest("synthetic", new SyntheticConnector(), Configuration()), default);
        Assert.Equal(RunOutcome.Succeeded, rerun.Outcome);
        Assert.Equal(Rows, (await store.ReadAsync("synthetic", default)).State["next"]!.GetValue<long>());
        Assert.Equal(Whole, await SummaryAsync());

        var snapshot = (await log.LoadAsync(default))!;
        var later = new FakeTimeProvider(TimeProvider.System.GetUtcNow() + TimeSpan.FromHours(2));
        var vacuum = await new DeltaTableLog(new FolderLakeStorage(LakeFolder), "synthetic/synthetic_rows", later)
            .VacuumAsync(snapshot, TimeSpan.FromHours(1), default);
        Assert.Subset(vacuum.Deleted.Select(f => Path.GetFileName(f.Path)).ToHashSet(), orphans.ToHashSet());
        Assert.Equal(snapshot.Files.Keys.Order(StringComparer.Ordinal), DataFiles().Order(StringComparer.Ordinal));
        Assert.Equal(Whole, await SummaryAsync());
        Assert.Empty(await DeltaProtocolValidator.ValidateLakeAsync(LakeFolder, DeltaValidationOptions.Tributary, default));
    }

    private static ConnectorConfiguration Configuration() => new(new Dictionary<string, string>
    {
        ["rows"] = Invariant(Rows),
        ["checkpoint_every"] = Invariant(CheckpointEvery),
    });

    private static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Rows, distinct ids, smallest and largest id, as an independent reader of the lake sees them.
    private async Task<long[]> SummaryAsync()
    {
        using var reader = new DeltaWarehouseReader(LakeFolder);
        var row = (await reader.RowsAsync("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM \"synthetic\".\"synthetic_rows\"", default)).Single();
        return [.. row.Select(Convert.ToInt64)];
    }

    private List<string> DataFiles() => [.. Directory.GetFiles(TableFolder, "*.parquet").Select(f => Path.GetFileName(f)!)];

    /// <summary>Starts the child, waits for its "ready" (the batch uploaded, its commit not made) and kills it with SIGKILL.</summary>
    private async Task RunAndKillAsync(int stopBeforeCommit)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tributary.Destinations.Delta.Crash.dll"));
        foreach (var argument in new[] { LakeFolder, StateFolder, Invariant(Rows), Invariant(CheckpointEvery), Invariant(stopBeforeCommit) })
        {
            start.ArgumentList.Add(argument);
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
            child.Kill();   // SIGKILL: the upload stays, the commit never comes
            await child.WaitForExitAsync();
        }
    }
}

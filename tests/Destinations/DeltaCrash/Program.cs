using System.Globalization;
using Tributary.Connectors.Synthetic;
using Tributary.Destinations.Delta;
using Tributary.Destinations.Delta.Crash;
using Tributary.Destinations.Delta.Storage;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

// tributary-delta-crash <lake folder> <state folder> <rows> <checkpoint every> <commit to stop before>
// Syncs the synthetic connector into the lake. Just before creating its Nth Delta commit — that batch's data files are
// uploaded, its log version is not — it writes "ready" and waits to be killed.
if (args.Length != 5)
{
    await Console.Error.WriteLineAsync("usage: <lake folder> <state folder> <rows> <checkpoint every> <commit to stop before>");
    return 2;
}

var storage = new StopBeforeCommit(new FolderLakeStorage(args[0]), int.Parse(args[4], CultureInfo.InvariantCulture));
await using var lake = new DeltaDestination(new DeltaDestinationOptions { Folder = args[0] }, storage, logger: null);
var runner = new SyncRunner(lake, new FileStateStore(args[1]));
var configuration = new ConnectorConfiguration(new Dictionary<string, string> { ["rows"] = args[2], ["checkpoint_every"] = args[3] });
var run = await runner.RunAsync(new SyncRequest("synthetic", new SyntheticConnector(), configuration), CancellationToken.None);
await Console.Error.WriteLineAsync($"The sync ended ({run.Outcome}) before commit {args[4]}: {run.Error}");
return 1;

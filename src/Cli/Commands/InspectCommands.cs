using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tributary.Cli.Loading;
using Tributary.Runtime;
using Tributary.Runtime.Schema;
using Tributary.Runtime.State;

namespace Tributary.Cli.Commands;

/// <summary><c>tributary list</c>: the registered connectors.</summary>
internal static class ListCommand
{
    public static Command Create(ConnectorSource connectors, CliConsole console)
    {
        var command = new Command("list", "List the connectors this build can run, or those in --assembly or --project.");
        connectors.AddTo(command);
        command.SetAction(connectors.Guarded(console, async (_, catalog, _) =>
        {
            var width = catalog.Names.Max(n => n.Length);
            foreach (var name in catalog.Names)
            {
                await console.Out.WriteLineAsync($"{name.PadRight(width)}  {catalog.Describe(name)}".TrimEnd());
            }

            return 0;
        }));
        return command;
    }
}

/// <summary><c>tributary schema &lt;connector&gt;</c>: the tables a connector declares, as they will be named in the warehouse.</summary>
internal static class SchemaCommand
{
    public static Command Create(ConnectorSource connectors, CliConsole console)
    {
        var connector = CliOptions.Connector();
        var configuration = CliOptions.Configuration();
        var command = new Command("schema", "Show the tables, keys and declared column types of a connector.") { connector, configuration };
        connectors.AddTo(command);
        command.SetAction(connectors.Guarded(console, async (result, catalog, _) =>
        {
            var name = result.GetRequiredValue(connector);
            var tables = catalog.Create(name).Schema(CliOptions.LoadConfiguration(result.GetValue(configuration))).ToList();
            if (tables.Count == 0)
            {
                await console.Out.WriteLineAsync($"{name} declares no tables: every table and column is inferred from the data.");
                return 0;
            }

            foreach (var table in tables)
            {
                var key = table.PrimaryKey.Count == 0 ? "none (surrogate _tributary_id)" : string.Join(", ", table.PrimaryKey.Select(Names.Normalize));
                await console.Out.WriteLineAsync($"{name}.{Names.Normalize(table.Name)}  primary key: {key}");
                foreach (var (column, type) in table.Columns)
                {
                    await console.Out.WriteLineAsync($"  {Names.Normalize(column),-24} {type}");
                }
            }

            return 0;
        }));
        return command;
    }
}

/// <summary><c>tributary runs &lt;connector&gt; [--connection ID]</c>: the connection's run records, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create(ConnectorSource connectors, CliConsole console, WorkspaceOptions workspace)
    {
        var connector = CliOptions.Connector();
        var connection = CliOptions.Connection();
        var limit = new Option<int>("--limit") { Description = "How many runs to show.", DefaultValueFactory = _ => 20 };
        var command = new Command("runs", "Show a connection's recent runs: outcome, duration, operations, error.") { connector, connection, limit };
        workspace.AddTo(command, warehouse: false);
        connectors.AddTo(command);
        command.SetAction(connectors.Guarded(console, async (result, catalog, cancellationToken) =>
        {
            var (_, name) = CliOptions.Resolve(result, catalog, connector, connection);
            var store = workspace.OpenStore(result, console.Time);
            var count = result.GetValue(limit);
            if (count < 1)
            {
                throw new CliException($"--limit is the number of runs to show, at least 1; got {count}.");
            }

            var shown = 0;
            foreach (var run in (await store.ListRunsAsync(name, new RunQuery(count), cancellationToken)).Runs)
            {
                shown++;

                var duration = run.EndedAt is { } ended ? (ended - run.StartedAt).TotalSeconds.ToString("0.0s", CultureInfo.InvariantCulture) : "-";
                await console.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{run.StartedAt:yyyy-MM-dd HH:mm:ss}Z  {run.Outcome,-9} {duration,8}  upserts {run.Total(c => c.Upserts)}, updates {run.Total(c => c.Updates)}, deletes {run.Total(c => c.Deletes)}, truncates {run.Total(c => c.Truncates)}, checkpoints {run.Checkpoints}  [{run.Trigger}, run {run.Id}]"));
                if (run.Error is not null)
                {
                    await console.Out.WriteLineAsync(run.ErrorKind is { } kind ? $"    {kind} error: {run.Error}" : $"    {run.Error}");
                }
            }

            if (shown == 0)
            {
                await console.Out.WriteLineAsync($"{name} has not run yet.");
            }

            return 0;
        }));
        return command;
    }
}

/// <summary><c>tributary state show|history|rollback &lt;connector&gt; [--connection ID]</c>.</summary>
internal static class StateCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(ConnectorSource connectors, CliConsole console, WorkspaceOptions workspace)
    {
        var state = new Command("state", "Show, list or roll back a connection's checkpointed state.");

        var connector = CliOptions.Connector();
        var connection = CliOptions.Connection();
        var show = new Command("show", "Print the current state.") { connector, connection };
        show.SetAction(connectors.Guarded(console, async (result, catalog, cancellationToken) =>
        {
            var name = Name(result, catalog);
            var snapshot = await Store(result).ReadAsync(name, cancellationToken);
            await console.Out.WriteLineAsync(snapshot.Version is null
                ? $"{name} has no checkpointed state."
                : $"version {snapshot.Version}, saved {snapshot.SavedAt:O}\n{snapshot.State.ToJsonString(Indented)}");
            return 0;
        }));

        var history = new Command("history", "List every checkpoint, newest first.") { connector, connection };
        history.SetAction(connectors.Guarded(console, async (result, catalog, cancellationToken) =>
        {
            await foreach (var entry in Store(result).HistoryAsync(Name(result, catalog), cancellationToken))
            {
                await console.Out.WriteLineAsync($"{entry.Version,6}  {entry.SavedAt:O}  {entry.State.ToJsonString()}");
            }

            return 0;
        }));

        var version = new Argument<string>("version") { Description = "The history version to make current again." };
        var rollback = new Command("rollback", "Make an earlier checkpoint the current state; the next sync starts from it.") { connector, connection, version };
        rollback.SetAction(connectors.Guarded(console, async (result, catalog, cancellationToken) =>
        {
            var name = Name(result, catalog);
            var store = Store(result);
            await using var lease = await store.AcquireLeaseAsync(name, cancellationToken);
            var saved = await store.RollbackAsync(name, result.GetRequiredValue(version), cancellationToken);
            await console.Out.WriteLineAsync($"{name} state rolled back to version {result.GetRequiredValue(version)} (saved as version {saved.Version}): {saved.State.ToJsonString()}");
            return 0;
        }));

        foreach (var command in new[] { show, history, rollback })
        {
            workspace.AddTo(command, warehouse: false);
            connectors.AddTo(command);
            state.Add(command);
        }

        return state;

        string Name(ParseResult result, ConnectorCatalog catalog) => CliOptions.Resolve(result, catalog, connector, connection).Connection;

        IStateStore Store(ParseResult result) => workspace.OpenStore(result, console.Time);
    }
}

/// <summary><c>tributary reset &lt;connector&gt; [--connection ID]</c>: drop the connection's warehouse schema and its state, so the
/// next sync starts over.</summary>
internal static class ResetCommand
{
    public static Command Create(ConnectorSource connectors, CliConsole console, WorkspaceOptions workspaceOptions)
    {
        var connector = CliOptions.Connector();
        var connection = CliOptions.Connection();
        var command = new Command("reset", "Drop a connection's tables from the warehouse and delete its state (run records stay).") { connector, connection };
        workspaceOptions.AddTo(command, warehouse: true);
        connectors.AddTo(command);
        command.SetAction(connectors.Guarded(console, async (result, catalog, cancellationToken) =>
        {
            var (_, name) = CliOptions.Resolve(result, catalog, connector, connection);
            await using var workspace = workspaceOptions.Open(result, console.Time);
            await using var lease = await workspace.Store.AcquireLeaseAsync(name, cancellationToken);
            await workspace.Warehouse.DropSchemaAsync(name, cancellationToken);
            await workspace.Store.ResetAsync(name, cancellationToken);
            await console.Out.WriteLineAsync($"{name}: schema dropped from {workspace.WarehouseName} and state deleted; the next sync starts from scratch.");
            return 0;
        }));
        return command;
    }
}

using DuckDB.NET.Data;
using Tributary.Destinations.DuckDb;
using Tributary.Destinations.DuckDb.Crash;

// tributary-duckdb-crash <scenario> <database path> [--no-checkpoint]
// Applies the scenario's setup (then closes the warehouse, which checkpoints it), applies its schema change in a new
// instance (a setup still loading is written by that instance first), writes "ready" and waits to be killed. With
// --no-checkpoint the destination does not checkpoint after the change, so the change is only in DuckDB's write-ahead
// log when the kill lands.
// tributary-duckdb-crash unreplayable <database path>
// Leaves a write-ahead log that DuckDB cannot replay: an ALTER with a USING expression, as earlier versions ran.
if (args.Length is < 2 or > 3 || (args.Length == 3 && args[2] != "--no-checkpoint"))
{
    await Console.Error.WriteLineAsync("usage: <scenario> <database path> [--no-checkpoint] | unreplayable <database path>");
    return 2;
}

if (args[0] == "unreplayable")
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    var connection = new DuckDBConnection($"DataSource={args[1]}");
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText =
        """
        CREATE SCHEMA conn; CREATE TABLE conn.t (id INTEGER PRIMARY KEY, v DOUBLE); INSERT INTO conn.t VALUES (1, 1.5); CHECKPOINT;
        INSERT INTO conn.t VALUES (2, 2.5);
        ALTER TABLE conn.t ALTER COLUMN v SET DATA TYPE VARCHAR USING upper(CAST(v AS VARCHAR));
        """;
    command.ExecuteNonQuery();
}
else
{
    var scenario = KillScenario.Named(args[0]);
    var options = new DuckDbDestinationOptions { DatabasePath = args[1] };
    if (scenario.Setup is { } setup && !scenario.SetupStillLoading)
    {
        await using var first = new DuckDbDestination(options);
        await first.WriteAsync(setup, CancellationToken.None);
    }

    var destination = new DuckDbDestination(options) { CheckpointsAfterWidening = args.Length == 2 };
    if (scenario.SetupStillLoading)
    {
        await destination.WriteAsync(scenario.Setup!, CancellationToken.None);
    }

    await destination.WriteAsync(scenario.Change, CancellationToken.None);
}

await Console.Out.WriteLineAsync("ready");
await Console.Out.FlushAsync();
await Task.Delay(Timeout.Infinite);
return 0;

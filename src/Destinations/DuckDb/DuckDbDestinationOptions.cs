namespace Tributary.Destinations.DuckDb;

/// <summary>Where and how <see cref="DuckDbDestination"/> keeps its warehouse.</summary>
public sealed class DuckDbDestinationOptions
{
    /// <summary>
    /// The DuckDB database file, for example <c>files/warehouse.db</c>; a relative path is resolved against the
    /// current directory. Required, no default. The file and its folder are created on the first use.
    /// DuckDB lets one process open a file for writing at a time; connections within one process share it.
    /// </summary>
    public required string DatabasePath { get; init; }

    /// <summary>
    /// Threads DuckDB runs a statement on. Default: one fewer than the machine's cores, at least one, since the engine
    /// that feeds the destination keeps a core busy. DuckDB's calling thread spins while other threads finish a
    /// statement's tasks; on two cores that spinning took the core the work needed (measured with bench/: one thread
    /// instead of two cut the CPU time of an interleaved load by 30 %). Once nothing feeds it — the keys of the tables a
    /// run loaded are built as the destination is disposed — DuckDB uses every core.
    /// </summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);
}

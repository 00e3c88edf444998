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
}

namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// Another writer created the log version this commit wanted. Nothing was written: refresh the snapshot, check the
/// other commit does not conflict, and commit again on the next version.
/// </summary>
internal sealed class DeltaConcurrentCommitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeltaConcurrentCommitException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DeltaConcurrentCommitException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping its cause.</summary>
    public DeltaConcurrentCommitException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>An error for the table at <paramref name="tablePath"/> whose <paramref name="version"/> exists already.</summary>
    public DeltaConcurrentCommitException(string tablePath, long version)
        : base($"Another writer committed version {version} of the Delta table '{tablePath}' first; refresh the snapshot and commit again.")
    {
        TablePath = tablePath;
        Version = version;
    }

    /// <summary>The table, relative to the lake root.</summary>
    public string TablePath { get; } = "";

    /// <summary>The version that exists already, or -1 when not known.</summary>
    public long Version { get; } = -1;
}

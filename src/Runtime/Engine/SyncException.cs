namespace Tributary.Runtime;

/// <summary>
/// The sync cannot go on because of what the connector emitted: a value that cannot be coerced, a missing key,
/// two names that normalise to one, a state too large. The message names the table, column, key and value.
/// Retrying does not help until the connector or its source changes.
/// </summary>
public sealed class SyncException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SyncException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SyncException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping its cause.</summary>
    public SyncException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

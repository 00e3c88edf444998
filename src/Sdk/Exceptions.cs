namespace Tributary.Sdk;

/// <summary>
/// The connector's configuration is missing a value or holds one that cannot be used.
/// The sync fails with this message and is not retried: retrying cannot help until the configuration changes.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message that names the key and what is wrong with it.</summary>
    public ConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping the error that revealed the problem.</summary>
    public ConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// The source could not be reached or answered with a transient failure. The sync fails and may be retried;
/// the next run starts from the last checkpoint.
/// </summary>
public sealed class SourceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SourceUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SourceUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping the error that caused it.</summary>
    public SourceUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Thrown by <see cref="SyncContext.CheckpointAsync"/> when the run's time budget is spent: that checkpoint committed
/// (everything before it is in the destination and its state is saved) and the sync pauses, to continue from that state in
/// a new run. Let it propagate. Catch it only to finish something that must follow a committed checkpoint, such as
/// acknowledging the messages it covers; a plain <see cref="OperationCanceledException"/> says nothing was committed.
/// </summary>
public sealed class SyncPausedException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public SyncPausedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SyncPausedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping the error that caused it.</summary>
    public SyncPausedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the run's stopping token.</summary>
    public SyncPausedException(string message, CancellationToken token) : base(message, token)
    {
    }
}

namespace Tributary.Azure.Secrets;

/// <summary>
/// The secret store could not be read or written: Key Vault was unreachable, refused the identity, or failed. Transient
/// or a deployment problem; never a missing secret (that reads as <see langword="null"/>). The message names the vault
/// and the secret, never its value; the inner exception keeps the cause.
/// </summary>
public sealed class SecretStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SecretStoreUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SecretStoreUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, keeping its cause.</summary>
    public SecretStoreUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

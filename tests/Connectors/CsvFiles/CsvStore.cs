using Tributary.Sdk.Testing;
using Tributary.Sdk;

namespace Tributary.Connectors.Tests.CsvFiles;

/// <summary>
/// One store of CSV files as the shared tests see it (an s3rver bucket, an Azurite container): a fresh, empty bucket or
/// container per test, files written and deleted as someone dropping them there would, and the connection's secrets.
/// </summary>
public abstract class CsvStore
{
    /// <summary>What <see cref="SetWrongSecretAsync"/> stores: a well-formed credential that is not the store's.</summary>
    public abstract string WrongSecret { get; }

    /// <summary>The connector's registered name.</summary>
    public abstract string ConnectorName { get; }

    /// <summary>The secret that must stay out of logs, run records and state.</summary>
    public abstract string Secret { get; }

    /// <summary>What the error of a refused credential must say.</summary>
    public abstract string RefusedCredentialError { get; }

    public abstract Connector CreateConnector();

    /// <summary>Creates an empty bucket or container, unique to the caller; returns the connection's configuration, with the
    /// prefix <c>in/</c>.</summary>
    public abstract Task<Dictionary<string, string>> CreateAsync();

    /// <summary>Writes (or overwrites) a file in the store of <paramref name="configuration"/>.</summary>
    public abstract Task PutAsync(IReadOnlyDictionary<string, string> configuration, string key, string text);

    public abstract Task DeleteAsync(IReadOnlyDictionary<string, string> configuration, string key);

    /// <summary>Stores the right credentials as the connection's secrets.</summary>
    public abstract Task SetSecretsAsync(ConnectorHarness harness);

    /// <summary>Replaces a credential with <see cref="WrongSecret"/>.</summary>
    public abstract Task SetWrongSecretAsync(ConnectorHarness harness);
}

namespace Tributary.Runtime.Secrets;

/// <summary>Where a connection's secrets live: Key Vault on Azure; environment variables or a git-ignored file locally.</summary>
public interface ISecretStore
{
    /// <summary>The secret's value, or <see langword="null"/> when connection <paramref name="connector"/> (its id; the parameter
    /// keeps its name from before connections) has no secret of that name.</summary>
    ValueTask<string?> GetAsync(string connector, string name, CancellationToken cancellationToken);

    /// <summary>Stores a new value (a rotated token).</summary>
    ValueTask SetAsync(string connector, string name, string value, CancellationToken cancellationToken);
}

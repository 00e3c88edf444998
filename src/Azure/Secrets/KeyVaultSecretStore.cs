using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Runtime.Secrets;

namespace Tributary.Azure.Secrets;

/// <summary>
/// Connector secrets in Azure Key Vault, read and written through a <see cref="SecretClient"/> that the host builds with its
/// credential (on Azure the Function App's managed identity). Names map as <see cref="KeyVaultSecretName"/> says. A secret
/// that does not exist (or is deleted) reads as <see langword="null"/>; a vault that cannot be reached or refuses the
/// identity throws <see cref="SecretStoreUnavailableException"/>. No value is ever logged or put in a message.
/// </summary>
/// <param name="client">The vault's client; its credential and retry options are the host's.</param>
/// <param name="logger">Receives the names (never the values) of secrets read and written; none when omitted.</param>
public sealed partial class KeyVaultSecretStore(SecretClient client, ILogger<KeyVaultSecretStore>? logger = null) : ISecretStore
{
    /// <summary>The tag naming the connector on every secret written back.</summary>
    public const string ConnectorTag = "tributary-connector";

    /// <summary>The tag holding the secret's name as the connector knows it.</summary>
    public const string NameTag = "tributary-name";

    private readonly SecretClient _client = client ?? throw new ArgumentNullException(nameof(client));
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <inheritdoc />
    /// <exception cref="SecretStoreUnavailableException">The vault could not be read.</exception>
    public async ValueTask<string?> GetAsync(string connector, string name, CancellationToken cancellationToken)
    {
        var secretName = KeyVaultSecretName.For(connector, name);
        try
        {
            var secret = await _client.GetSecretAsync(secretName, cancellationToken: cancellationToken);
            LogRead(_logger, connector, secretName);
            return secret.Value.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            LogMissing(_logger, connector, secretName);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ArgumentException)
        {
            throw Unavailable("read", connector, secretName, ex);
        }
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreUnavailableException">The vault could not be written.</exception>
    public async ValueTask SetAsync(string connector, string name, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        var secretName = KeyVaultSecretName.For(connector, name);
        var secret = new KeyVaultSecret(secretName, value);
        secret.Properties.ContentType = "text/plain";
        secret.Properties.Tags[ConnectorTag] = connector;
        secret.Properties.Tags[NameTag] = name;
        try
        {
            await _client.SetSecretAsync(secret, cancellationToken);
            LogWritten(_logger, connector, secretName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ArgumentException)
        {
            throw Unavailable("write", connector, secretName, ex);
        }
    }

    private SecretStoreUnavailableException Unavailable(string action, string connector, string secretName, Exception ex)
    {
        // The message is built from the status only: a service's error text is not ours to vouch for.
        var why = ex is RequestFailedException { Status: > 0 } failed ? $"it answered {failed.Status} {failed.ErrorCode}" : $"{ex.GetType().Name}: it could not be reached";
        LogUnavailable(_logger, action, connector, secretName, why);
        return new SecretStoreUnavailableException(
            $"Could not {action} secret '{secretName}' of connector '{connector}' in Key Vault {_client.VaultUri}: {why}.", ex);
    }

    [LoggerMessage(2200, LogLevel.Debug, "Secret {SecretName} of {Connector} read from Key Vault")]
    private static partial void LogRead(ILogger logger, string connector, string secretName);

    [LoggerMessage(2201, LogLevel.Information, "Secret {SecretName} of {Connector} is not in Key Vault")]
    private static partial void LogMissing(ILogger logger, string connector, string secretName);

    [LoggerMessage(2202, LogLevel.Information, "Secret {SecretName} of {Connector} written back to Key Vault")]
    private static partial void LogWritten(ILogger logger, string connector, string secretName);

    [LoggerMessage(2203, LogLevel.Error, "Could not {Action} secret {SecretName} of {Connector} in Key Vault: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string action, string connector, string secretName, string reason);
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.Configuration;

/// <summary>Reads a required configuration value, a Fernet key, and uses it to decrypt a message.</summary>
[Connector("configuration", Description = "Decrypts a message with the Fernet key from configuration key my_key.")]
public sealed partial class ConfigurationConnector : Connector
{
    private const string KeyName = "my_key";
    private const string Table = "crypto";

    // The token from Fivetran's example; it decrypts with the key in this folder's configuration.json.
    private const string EncryptedMessage =
        "gAAAAABl-3QGKUHpdUhBNpnW1_SnSkQGrAwev-uBBJaZo4NmtylIMg8UX6usuG4Z-h80OvfJajW6HU56O5hofapEIh4W33vuMpJgq0q3qMQx6R3Ol4qZ3Wc2DyIIapxbK5BrQHshBF95";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration)
    {
        // Validate early: a missing key fails with a message that names it.
        _ = configuration.GetString(KeyName);
        return [new TableDefinition(Table) { PrimaryKey = ["msg"] }];
    }

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var key = context.Configuration.GetString(KeyName);

        LogDecrypting(context.Logger);
        var message = Decrypt(key);

        await context.UpsertAsync(Table, new { msg = message }, cancellationToken);
        await context.CheckpointAsync(context.State, cancellationToken);
    }

    private static string Decrypt(string key)
    {
        // A key that is not a Fernet key, or the wrong one, is a configuration problem: say which key.
        try
        {
            return Encoding.UTF8.GetString(new Fernet(key).Decrypt(EncryptedMessage));
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException($"Configuration key '{KeyName}' is not a Fernet key: {ex.Message}", ex);
        }
        catch (CryptographicException ex)
        {
            throw new ConfigurationException($"Configuration key '{KeyName}' does not decrypt the message: {ex.Message}", ex);
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Decrypting the message")]
    private static partial void LogDecrypting(ILogger logger);
}

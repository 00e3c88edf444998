using Azure;
using Azure.Data.Tables;
using Tributary.Sdk;

namespace Tributary.Connectors.AzureTableStorage;

/// <summary>
/// The table clients, authenticated by an account key, a SAS token or a connection string (each a secret), and the
/// translation of the service's failures into Tributary's exception classes.
/// </summary>
internal static class AzureTableClients
{
    public static async Task<TableServiceClient> CreateAsync(SyncContext context, AzureTableSettings settings, CancellationToken cancellationToken)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 3;
        switch (settings.Authentication)
        {
            case TableAuthentication.AccountKey:
                var key = (await context.GetSecretAsync("account_key", cancellationToken)).Trim();
                if (key.Length == 0 || !Convert.TryFromBase64String(key, new byte[key.Length], out _))
                {
                    throw new ConfigurationException("The secret 'account_key' is not a storage account key (the base64 text the portal shows under Access keys).");
                }

                return new TableServiceClient(settings.Endpoint, new TableSharedKeyCredential(settings.AccountName, key), options);

            case TableAuthentication.Sas:
                var sas = (await context.GetSecretAsync("sas_token", cancellationToken)).Trim().TrimStart('?');
                if (!sas.Contains("sig=", StringComparison.Ordinal))
                {
                    throw new ConfigurationException("The secret 'sas_token' is not a shared access signature: it has no 'sig=' parameter.");
                }

                return new TableServiceClient(settings.Endpoint, new AzureSasCredential(sas), options);

            default:
                var connectionString = await context.GetSecretAsync("connection_string", cancellationToken);
                try
                {
                    return new TableServiceClient(connectionString, options);
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
                {
                    // The parser's message may quote the string: it is left out.
                    throw new ConfigurationException(
                        "The secret 'connection_string' is not a storage connection string with an account key or SAS and a table endpoint (or an account name).");
                }
        }
    }

    /// <summary>The error a service failure means, naming <paramref name="what"/>; null when it is none of the known kinds.</summary>
    public static Exception? Translate(RequestFailedException ex, string what, TableAuthentication authentication) => ex.Status switch
    {
        401 or 403 => new ConfigurationException(
            $"Azure Table Storage refused the credentials ({Describe(ex)}) on {what}. Check the secret " +
            $"'{SecretName(authentication)}'{(authentication == TableAuthentication.Sas ? " (its expiry and its 'r' read permission)" : "")}.",
            ex),
        404 => new ConfigurationException($"Azure Table Storage has no table for {what} ({Describe(ex)}). Check the configuration key 'tables'.", ex),
        408 or 429 or >= 500 => new SourceUnavailableException($"Azure Table Storage is throttling or unavailable ({Describe(ex)}) on {what}, after the client's retries.", ex),
        _ => null,
    };

    /// <summary>The status and, when the service sent one, its error code: <c>403 AuthenticationFailed</c>.</summary>
    private static string Describe(RequestFailedException ex) =>
        string.IsNullOrEmpty(ex.ErrorCode) ? $"{ex.Status}" : $"{ex.Status} {ex.ErrorCode}";

    private static string SecretName(TableAuthentication authentication) => authentication switch
    {
        TableAuthentication.AccountKey => "account_key",
        TableAuthentication.Sas => "sas_token",
        _ => "connection_string",
    };
}

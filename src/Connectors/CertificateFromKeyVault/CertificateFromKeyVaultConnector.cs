using Tributary.Connectors.MutualTls;
using Tributary.Sdk;

namespace Tributary.Connectors.CertificateFromKeyVault;

/// <summary>
/// Mutual TLS with a client certificate kept in Azure Key Vault: at the start of every sync the connector downloads the
/// certificate and its private key with Azure.Security.KeyVault.Certificates, signed in with Azure.Identity as the host is
/// (the Function App's managed identity, or a service principal), so a certificate renewed in the vault is used from the
/// next sync on; then it reads the API's records updated since the last sync, presenting that certificate.
/// </summary>
[Connector(
    "certificate_from_key_vault",
    Description = "Records from an API that requires a client certificate (mutual TLS), the certificate and its key downloaded from Azure Key Vault at every sync.")]
public sealed class CertificateFromKeyVaultConnector : Connector
{
    private readonly KeyVaultAccess _access;

    /// <summary>Creates the connector as the catalog does: Key Vault and Entra ID reached as in production.</summary>
    public CertificateFromKeyVaultConnector()
        : this(KeyVaultAccess.Default)
    {
    }

    internal CertificateFromKeyVaultConnector(KeyVaultAccess access) => _access = access;

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => MutualTlsSampleData.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        using var certificate = await KeyVaultClientCertificate.DownloadAsync(context, _access, cancellationToken);
        await MutualTlsSampleData.SyncAsync(context, certificate, cancellationToken);
    }
}

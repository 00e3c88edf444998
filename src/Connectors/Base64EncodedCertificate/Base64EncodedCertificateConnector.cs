using System.Security.Cryptography.X509Certificates;
using Tributary.Connectors.MutualTls;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Base64EncodedCertificate;

/// <summary>
/// Mutual TLS: the connector presents a client certificate, read from two secrets that hold the base64 encoding of its PEM
/// certificate and private key (the private key optionally encrypted under a passkey), and trusts a private CA, or the
/// server's own self-signed certificate, for the server's side of the handshake. Records are read page by page, only those
/// updated since the last sync.
/// </summary>
[Connector(
    "base64_encoded_certificate",
    Description = "Records from an API that requires a client certificate (mutual TLS), the certificate and key base64 PEM secrets.")]
public sealed class Base64EncodedCertificateConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => MutualTlsSampleData.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        using var certificate = await ReadClientCertificateAsync(context, cancellationToken);
        await MutualTlsSampleData.SyncAsync(context, certificate, cancellationToken);
    }

    /// <summary>
    /// The client certificate from secrets <c>encoded_certificate</c> and <c>encoded_private_key</c> (base64 of the PEM
    /// text); when configuration <c>private_key_encrypted</c> is <c>true</c>, the key is an encrypted PKCS#8 PEM opened with
    /// secret <c>passkey</c>, as the original's <c>PASSKEY</c>.
    /// </summary>
    private static async Task<X509Certificate2> ReadClientCertificateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var certificate = await context.GetSecretAsync("encoded_certificate", cancellationToken);
        var privateKey = await context.GetSecretAsync("encoded_private_key", cancellationToken);
        return context.Configuration.GetBoolean("private_key_encrypted", false)
            ? ClientCertificates.FromBase64Pem(certificate, privateKey, await context.GetSecretAsync("passkey", cancellationToken))
            : ClientCertificates.FromBase64Pem(certificate, privateKey);
    }
}

using Tributary.Connectors.MutualTls;
using Tributary.Sdk;

namespace Tributary.Connectors.CertificateFromS3;

/// <summary>
/// Mutual TLS with a client certificate kept in S3: at the start of every sync the connector reads one object (PEM
/// certificate and key, or PKCS#12) with AWSSDK.S3 and the connection's AWS keys, so a certificate rotated in the bucket
/// is used from the next sync on; then it reads the API's records updated since the last sync, presenting that
/// certificate in every TLS handshake.
/// </summary>
[Connector(
    "certificate_from_s3",
    Description = "Records from an API that requires a client certificate (mutual TLS), the certificate read from an S3 object at every sync.")]
public sealed class CertificateFromS3Connector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => MutualTlsSampleData.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        using var certificate = await S3CertificateObject.ReadAsync(context, cancellationToken);
        await MutualTlsSampleData.SyncAsync(context, certificate, cancellationToken);
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Base64EncodedCertificate;

/// <summary>The certificates of <see cref="Base64EncodedCertificateConnector"/>: the client's from secrets, the server's trust anchor from configuration.</summary>
internal static class CertificateSecrets
{
    /// <summary>
    /// The client certificate from secrets <c>encoded_certificate</c> and <c>encoded_private_key</c> (base64 of the PEM
    /// text); when configuration <c>private_key_encrypted</c> is <c>true</c>, the key is an encrypted PKCS#8 PEM opened with
    /// secret <c>passkey</c>, as the original's <c>PASSKEY</c>.
    /// </summary>
    public static async Task<X509Certificate2> ReadClientCertificateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var certificate = await context.GetSecretAsync("encoded_certificate", cancellationToken);
        var privateKey = await context.GetSecretAsync("encoded_private_key", cancellationToken);
        if (!context.Configuration.GetBoolean("private_key_encrypted", false))
        {
            return ClientCertificates.FromBase64Pem(certificate, privateKey);
        }

        // The toolkit reads unencrypted keys only; an encrypted one is opened here, then made usable by TLS the same way.
        var passkey = await context.GetSecretAsync("passkey", cancellationToken);
        try
        {
            using var pem = X509Certificate2.CreateFromEncryptedPem(Decode(certificate, "encoded_certificate"), Decode(privateKey, "encoded_private_key"), passkey);
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (CryptographicException ex)
        {
            throw new ConfigurationException(
                "Secrets 'encoded_certificate' and 'encoded_private_key' are not a PEM certificate and an encrypted private key " +
                $"that secret 'passkey' opens: {ex.Message}",
                ex);
        }
    }

    /// <summary>Configuration <c>server_ca_certificate</c>: base64 of a PEM CA certificate (or the server's self-signed one); null when absent.</summary>
    public static X509Certificate2? ReadTrustedServerCertificate(ConnectorConfiguration configuration)
    {
        if (!configuration.TryGetValue("server_ca_certificate", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(Decode(value, "server_ca_certificate"));
        }
        catch (CryptographicException ex)
        {
            throw new ConfigurationException($"Configuration key 'server_ca_certificate' is not the base64 of a PEM certificate: {ex.Message}", ex);
        }
    }

    private static string Decode(string base64, string name)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim()));
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException($"'{name}' is not base64.", ex);
        }
    }
}

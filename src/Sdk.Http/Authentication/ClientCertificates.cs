using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Tributary.Sdk.Http;

/// <summary>
/// Client certificates for <see cref="RestClientOptions.ClientCertificate"/> from the text a secret can hold: PEM, PEM
/// encoded in base64 (one line, as a Fivetran configuration holds it), or a PFX in base64.
/// </summary>
public static class ClientCertificates
{
    /// <summary>A certificate and its private key from PEM text (<c>-----BEGIN CERTIFICATE-----</c>, <c>-----BEGIN PRIVATE KEY-----</c>).</summary>
    /// <exception cref="ConfigurationException">The text is not a PEM certificate and key that belong together.</exception>
    public static X509Certificate2 FromPem(string certificatePem, string privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(certificatePem);
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        try
        {
            using var pem = X509Certificate2.CreateFromPem(certificatePem, privateKeyPem);
            // An ephemeral key from PEM cannot be used by the TLS stack on every platform; a PKCS#12 round trip makes it usable.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (CryptographicException ex)
        {
            throw new ConfigurationException($"The client certificate is not a PEM certificate with its private key: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException($"The client certificate is not a PEM certificate with its private key: {ex.Message}", ex);
        }
    }

    /// <summary>A certificate and its private key from the base64 encoding of their PEM text.</summary>
    /// <exception cref="ConfigurationException">A value is not base64, or not a PEM certificate and key that belong together.</exception>
    public static X509Certificate2 FromBase64Pem(string certificateBase64, string privateKeyBase64) =>
        FromPem(DecodeText(certificateBase64, "certificate"), DecodeText(privateKeyBase64, "private key"));

    /// <summary>A certificate with its private key from a PFX (PKCS#12) file in base64.</summary>
    /// <exception cref="ConfigurationException">The value is not base64, not a PFX, or the password is wrong.</exception>
    public static X509Certificate2 FromBase64Pfx(string pfxBase64, string? password = null)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12(Decode(pfxBase64, "PFX"), password);
        }
        catch (CryptographicException ex)
        {
            throw new ConfigurationException($"The client certificate is not a PFX this password opens: {ex.Message}", ex);
        }
    }

    private static string DecodeText(string base64, string what) => Encoding.UTF8.GetString(Decode(base64, what));

    private static byte[] Decode(string base64, string what)
    {
        ArgumentNullException.ThrowIfNull(base64);
        try
        {
            return Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException($"The client certificate's {what} is not base64.", ex);
        }
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Certificates;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.CertificateFromKeyVault;

/// <summary>
/// The client certificate of <see cref="CertificateFromKeyVaultConnector"/>: downloaded from Key Vault at the start of every
/// sync with <see cref="CertificateClient.DownloadCertificateAsync(DownloadCertificateOptions, CancellationToken)"/>, which
/// reads the certificate and then its private key through the secret of the same name (PKCS#12 or PEM, by its content
/// type). The certificate and key stay in memory.
/// </summary>
internal static partial class KeyVaultClientCertificate
{
    /// <summary>Configuration <c>vault_url</c>, <c>certificate_name</c> and optional <c>certificate_version</c>.</summary>
    /// <exception cref="ConfigurationException">Signing in failed, the certificate is missing or not readable by this identity, or it has no private key.</exception>
    /// <exception cref="SourceUnavailableException">Key Vault or Entra ID could not be reached or failed on its side.</exception>
    public static async Task<X509Certificate2> DownloadAsync(SyncContext context, KeyVaultAccess access, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var vault = configuration.GetUri("vault_url");
        var name = configuration.GetString("certificate_name");
        var version = configuration.GetString("certificate_version", string.Empty);
        var what = $"certificate '{name}'{(version.Length == 0 ? string.Empty : $" version {version}")} in Key Vault {vault}";
        var (credential, identity) = await access.CredentialAsync(context, cancellationToken);
        LogDownloading(context.Logger, what, identity);

        X509Certificate2 downloaded;
        try
        {
            var client = new CertificateClient(vault, credential, access.ClientOptions());
            downloaded = (await client.DownloadCertificateAsync(
                new DownloadCertificateOptions(name) { Version = version.Length == 0 ? null : version },
                cancellationToken)).Value;
        }
        catch (AuthenticationFailedException ex)
        {
            throw new ConfigurationException(
                $"Signing in as {identity} to read the {what} failed: {FirstLine(ex.Message)}{(ex.InnerException is { } inner ? $" ({FirstLine(inner.Message)})" : string.Empty)} "
                + "Check configuration 'tenant_id' and 'client_id' and secret 'client_secret', or the managed identity.",
                ex);
        }
        catch (RequestFailedException ex)
        {
            throw Explain(ex, what, identity);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or CryptographicException or FormatException)
        {
            throw new ConfigurationException($"The {what} could not be read as a certificate with its private key: {ex.Message}", ex);
        }

        using (downloaded)
        {
            if (!downloaded.HasPrivateKey)
            {
                throw new ConfigurationException($"The {what} came without its private key: mutual TLS needs a certificate whose policy makes the key exportable.");
            }

            // A key loaded from PEM is ephemeral, which not every platform's TLS stack can use: a PKCS#12 round trip in memory.
            return X509CertificateLoader.LoadPkcs12(downloaded.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    /// <summary>What Key Vault refused, as the exception that tells the runtime whether to retry.</summary>
    internal static Exception Explain(RequestFailedException ex, string what, string identity) => (HttpStatusCode)ex.Status switch
    {
        HttpStatusCode.NotFound => new ConfigurationException(
            $"There is no {what} ({ex.ErrorCode}): {FirstLine(ex.Message)} Check configuration 'vault_url', 'certificate_name' and 'certificate_version'.", ex),
        HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => new ConfigurationException(
            $"Key Vault refused {identity} reading the {what} ({ex.Status} {ex.ErrorCode}): {FirstLine(ex.Message)} "
            + "Downloading a certificate with its key reads the certificate and its secret: grant the role 'Key Vault Certificate User' (RBAC), "
            + "or both certificates get and secrets get (access policy).",
            ex),
        0 or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => new SourceUnavailableException(
            $"Key Vault failed reading the {what}: {(ex.Status == 0 ? string.Empty : $"{ex.Status} {ex.ErrorCode}: ")}{FirstLine(ex.Message)}", ex),
        _ => new ConfigurationException($"Key Vault refused reading the {what} ({ex.Status} {ex.ErrorCode}): {FirstLine(ex.Message)}", ex),
    };

    // Azure's messages continue with the status, the response body and its headers: the first line says what happened.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd('\r', ' ');

    [LoggerMessage(EventId = 2820, Level = LogLevel.Information, Message = "Downloading the client {Certificate} as {Identity}")]
    private static partial void LogDownloading(ILogger logger, string certificate, string identity);
}

using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Certificates;
using Tributary.Sdk;

namespace Tributary.Connectors.CertificateFromKeyVault;

/// <summary>
/// How <see cref="CertificateFromKeyVaultConnector"/> reaches Key Vault: the Azure.Identity credential the connection's
/// configuration names, and the client options. The defaults are what runs in production; tests swap the transport (to
/// trust a local HTTPS fake) and relax the checks that assume Azure's own host names.
/// </summary>
internal sealed class KeyVaultAccess
{
    /// <summary>Production: the SDKs' own transport, challenge resource and authority checks on.</summary>
    public static KeyVaultAccess Default { get; } = new();

    /// <summary>The HTTP transport of the vault client and of the credential; null: the SDKs' default.</summary>
    public HttpPipelineTransport? Transport { get; init; }

    /// <summary>Accept a bearer challenge whose resource is not the vault's host (a vault served from 127.0.0.1).</summary>
    public bool DisableChallengeResourceVerification { get; init; }

    /// <summary>Skip Entra ID instance discovery (an authority host that is not one of Azure's clouds).</summary>
    public bool DisableInstanceDiscovery { get; init; }

    /// <summary>
    /// A service principal when configuration has <c>tenant_id</c> and <c>client_id</c> (its secret <c>client_secret</c>);
    /// otherwise what the Tributary host itself uses: <see cref="DefaultAzureCredential"/>, which on Azure is the Function
    /// App's managed identity (a user-assigned one by <c>managed_identity_client_id</c>) and on a developer's machine the
    /// Azure CLI or Visual Studio sign-in.
    /// </summary>
    public async Task<(TokenCredential Credential, string Description)> CredentialAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var tenant = configuration.GetString("tenant_id", string.Empty);
        var client = configuration.GetString("client_id", string.Empty);
        var authority = configuration.GetUri("authority_host", AzureAuthorityHosts.AzurePublicCloud.ToString());
        if (tenant.Length > 0 || client.Length > 0)
        {
            if (tenant.Length == 0 || client.Length == 0)
            {
                throw new ConfigurationException("A service principal needs both configuration 'tenant_id' and 'client_id' (and secret 'client_secret'); leave both empty to use the managed identity.");
            }

            var options = new ClientSecretCredentialOptions { AuthorityHost = authority, DisableInstanceDiscovery = DisableInstanceDiscovery };
            Apply(options);
            var secret = await context.GetSecretAsync("client_secret", cancellationToken);
            return (new ClientSecretCredential(tenant, client, secret, options), $"service principal {client} in tenant {tenant}");
        }

        var managedIdentity = configuration.GetString("managed_identity_client_id", string.Empty);
        var defaults = new DefaultAzureCredentialOptions
        {
            AuthorityHost = authority,
            ManagedIdentityClientId = managedIdentity.Length == 0 ? null : managedIdentity,
            DisableInstanceDiscovery = DisableInstanceDiscovery,
        };
        Apply(defaults);
        return (new DefaultAzureCredential(defaults), managedIdentity.Length == 0 ? "the default Azure credential (the managed identity on Azure)" : $"managed identity {managedIdentity}");
    }

    /// <summary>Key Vault client options: the service's own retries, the transport above.</summary>
    public CertificateClientOptions ClientOptions()
    {
        var options = new CertificateClientOptions { DisableChallengeResourceVerification = DisableChallengeResourceVerification };
        Apply(options);
        return options;
    }

    private void Apply(ClientOptions options)
    {
        if (Transport is not null)
        {
            options.Transport = Transport;
            options.Retry.MaxRetries = 0;   // a fake answers at once; retried 5xx would only slow the tests
        }
    }
}

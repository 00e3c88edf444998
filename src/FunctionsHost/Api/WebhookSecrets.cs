using Microsoft.Extensions.Options;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime.Secrets;

namespace Tributary.FunctionsHost.Api;

/// <summary>
/// The connectors' webhook secrets, read through a <see cref="CachingSecretStore"/> with the lifetimes of
/// <see cref="WebhookSettings.SecretCache"/>: anyone can post a delivery, so without the cache every forged one would cost a
/// Key Vault read. Only webhook verification reads through this cache; runs read their secrets from the store itself, so a
/// token rotated by one instance is never served stale to another.
/// </summary>
public sealed class WebhookSecrets
{
    private readonly CachingSecretStore _cache;

    /// <summary>Creates the cache in front of <paramref name="secrets"/>.</summary>
    /// <param name="secrets">The app's secret store.</param>
    /// <param name="options">The host options, for the cache lifetimes.</param>
    /// <param name="time">The clock of the lifetimes.</param>
    public WebhookSecrets(ISecretStore secrets, IOptions<TributaryHostOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _cache = new CachingSecretStore(secrets, options.Value.Webhooks.SecretCache, time);
    }

    /// <summary>The HMAC key of <paramref name="connector"/>'s <c>webhook_secret</c>, or <see langword="null"/> when it has none
    /// (or one written <c>whsec_</c> whose rest is not base64).</summary>
    /// <exception cref="Azure.Secrets.SecretStoreUnavailableException">The store could not be read (remembered briefly).</exception>
    public async ValueTask<byte[]?> GetKeyAsync(string connector, CancellationToken cancellationToken)
    {
        var secret = await _cache.GetAsync(connector, WebhookReceiver.SecretName, cancellationToken);
        return string.IsNullOrEmpty(secret) ? null : WebhookSignatures.Key(secret);
    }
}

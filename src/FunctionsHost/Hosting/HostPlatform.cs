using Microsoft.Extensions.Configuration;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>
/// Where the host runs: on Azure (App Service or Functions, which set <c>WEBSITE_INSTANCE_ID</c> and <c>WEBSITE_SITE_NAME</c> on
/// every instance) or on a developer's machine. Registered as a singleton; register another first to replace it in tests.
/// </summary>
/// <param name="IsAzure">Whether the host runs on an Azure instance, whose local disk is lost when the instance is recycled.</param>
internal sealed record HostPlatform(bool IsAzure)
{
    /// <summary>The settings whose presence means an Azure instance.</summary>
    internal static readonly string[] AzureSettings = ["WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME"];

    /// <summary>The platform the settings (environment variables included) describe.</summary>
    public static HostPlatform FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(AzureSettings.Any(name => !string.IsNullOrWhiteSpace(configuration[name])));
    }
}

using System.Text.Json.Serialization;
using Tributary.Sdk;

namespace Tributary.Connectors.Toast;

/// <summary>The connector's configuration, validated.</summary>
internal sealed record ToastSettings(Uri BaseUrl, string ClientId, string UserAccessType, DateTimeOffset InitialSyncStart, int PageSize)
{
    public static ToastSettings Read(ConnectorConfiguration configuration)
    {
        var baseUrl = configuration.GetString("base_url", "").Length > 0
            ? configuration.GetUri("base_url")
            : new Uri($"https://{configuration.GetString("domain")}/");
        var pageSize = configuration.GetInt32("page_size", 100);
        if (pageSize is < 1 or > 100)
        {
            throw new ConfigurationException($"Configuration key 'page_size' must be between 1 and 100 (ordersBulk's maximum); got {pageSize}.");
        }

        return new ToastSettings(
            baseUrl,
            configuration.GetString("clientId"),
            configuration.GetString("userAccessType", "TOAST_MACHINE_CLIENT"),
            configuration.GetDateTimeOffset("initialSyncStart").ToUniversalTime(),
            pageSize);
    }
}

/// <summary>The saved state: the end of the last window read, the original's <c>to_ts</c>. The original also kept an
/// encrypted access token here; state never holds credentials in Tributary, so each sync logs in.</summary>
internal sealed class ToastState
{
    [JsonPropertyName("to_ts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ToTs { get; set; }
}

namespace Tributary.Connectors.ComplexConfigurationOptions;

/// <summary>A currency pair the connector would convert.</summary>
internal sealed record CurrencyPair(string From, string To);

/// <summary>
/// Settings that are not strings and not secret, kept in code rather than in configuration: lists, nested
/// records, numbers and flags. Changing them means rebuilding and redeploying; they cannot be edited where the
/// configuration is (the app settings). Secrets never go here: they belong in configuration.
/// </summary>
internal static class ApiSettings
{
    /// <summary>The regions to read.</summary>
    public static IReadOnlyList<string> Regions { get; } = ["us-east-1", "us-east-4", "us-central-1"];

    /// <summary>The currency pairs to read.</summary>
    public static IReadOnlyList<CurrencyPair> Currencies { get; } = [new("USD", "EUR"), new("USD", "GBP")];

    /// <summary>Requests allowed per day.</summary>
    public const int ApiQuota = 12345;

    /// <summary>Whether to use the bulk API.</summary>
    public const bool UseBulkApi = true;
}

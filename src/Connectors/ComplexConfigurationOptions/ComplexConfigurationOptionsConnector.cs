using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;

namespace Tributary.Connectors.ComplexConfigurationOptions;

/// <summary>String settings (and secrets) from configuration, typed and structured settings from code.</summary>
[Connector("complex_configuration_options", Description = "Combines configuration strings with typed settings kept in code.")]
public sealed partial class ComplexConfigurationOptionsConnector : Connector
{
    private const string Table = "crypto";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Table) { PrimaryKey = ["msg"] }];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // Configuration is a flat map of strings, editable without a rebuild; the getter names a missing key.
        var configuration = context.Configuration;
        var settings = new SourceSettings(
            ApiKey: configuration.GetString("api_key"),
            ClientId: configuration.GetString("client_id"),
            ClientSecret: configuration.GetString("client_secret"),
            Regions: ApiSettings.Regions,
            Currencies: ApiSettings.Currencies);

        // Never log the key or the secret; the structured settings are fine.
        LogSettings(context.Logger, settings.ClientId, settings.Regions.Count, settings.Currencies.Count, ApiSettings.ApiQuota, ApiSettings.UseBulkApi);

        await context.UpsertAsync(Table, new { msg = "hello world" }, cancellationToken);
        await context.CheckpointAsync(context.State, cancellationToken);
    }

    [LoggerMessage(
        EventId = 1500,
        Level = LogLevel.Information,
        Message = "Client {ClientId}: {RegionCount} regions, {CurrencyCount} currency pairs, quota {ApiQuota}, bulk API {UseBulkApi}")]
    private static partial void LogSettings(ILogger logger, string clientId, int regionCount, int currencyCount, int apiQuota, bool useBulkApi);

    /// <summary>Everything the source client needs, from configuration and from code, in one typed object.</summary>
    private sealed record SourceSettings(
        string ApiKey,
        string ClientId,
        string ClientSecret,
        IReadOnlyList<string> Regions,
        IReadOnlyList<CurrencyPair> Currencies)
    {
        // Keep the key and the secret out of ToString, so the object can never leak them into a log.
        private bool PrintMembers(StringBuilder builder)
        {
            builder.Append(CultureInfo.InvariantCulture, $"ClientId = {ClientId}, Regions = {Regions.Count}, Currencies = {Currencies.Count}");
            return true;
        }
    }
}

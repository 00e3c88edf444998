using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Weather;

/// <summary>
/// NOAA's forecast for one location (api.weather.gov, no credential): the point's forecast URL, then its periods,
/// skipping the periods an earlier sync already wrote (a start-time cursor in state).
/// </summary>
[Connector("weather", Description = "NOAA forecast periods for one location, a start-time cursor in state.")]
public sealed partial class WeatherConnector : Connector
{
    private const string Table = "period";
    private const string DefaultBaseUrl = "https://api.weather.gov/";

    // NOAA refuses requests without a User-Agent and asks for one that identifies the application and a contact.
    private const string DefaultUserAgent = "Tributary-Weather-Example/1.0 (contact@example.com)";

    // Myrtle Beach, SC: the point of the original's default grid (forecast office ILM, 58,40).
    private const double DefaultLatitude = 33.6891;
    private const double DefaultLongitude = -78.8867;

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["startTime"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["name"] = ColumnType.String,
                ["startTime"] = ColumnType.UtcDateTime,
                ["endTime"] = ColumnType.UtcDateTime,
                ["temperature"] = ColumnType.Int,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var latitude = Coordinate(configuration, "latitude", DefaultLatitude, 90);
        var longitude = Coordinate(configuration, "longitude", DefaultLongitude, 180);
        var options = new RestClientOptions { BaseAddress = configuration.GetUri("base_url", DefaultBaseUrl) };
        options.Headers["User-Agent"] = configuration.GetString("user_agent", DefaultUserAgent);
        options.Headers["Accept"] = "application/geo+json";
        using var client = new RestClient(context, options);

        // Step 1: the point names its forecast office and grid; its properties.forecast is the forecast's URL.
        var point = await client.GetJsonAsync<GeoJsonFeature<PointProperties>>(new RestRequest($"points/{latitude},{longitude}"), cancellationToken);
        var forecastUrl = point.Properties?.Forecast
            ?? throw new InvalidDataException($"NOAA's answer for the point {latitude},{longitude} has no properties.forecast URL.");
        LogForecastUrl(context.Logger, forecastUrl);

        // Step 2: the forecast's periods, streamed. The API has no filter: the cursor skips what an earlier sync wrote.
        var state = context.ReadState<WeatherState>();
        var cursor = state.StartTime is null ? DateTimeOffset.MinValue : ParseTime(state.StartTime, "the state's startTime");
        var written = 0;
        var periods = client.GetRecordsAsync<ForecastPeriod>(new RestRequest(forecastUrl) { RecordsPath = "properties.periods" }, cancellationToken: cancellationToken);
        await foreach (var period in periods)
        {
            var start = ParseTime(period.StartTime, "a period's startTime");
            if (start < cursor)
            {
                continue;
            }

            await context.UpsertAsync(
                Table,
                new { name = period.Name, startTime = period.StartTime, endTime = period.EndTime, temperature = period.Temperature },
                cancellationToken);
            written++;

            // As in the original, the next sync starts at the end of the last period written.
            state.StartTime = period.EndTime;
            cursor = ParseTime(period.EndTime, "a period's endTime");
        }

        LogSynced(context.Logger, written, state.StartTime);
        await context.CheckpointAsync(state, cancellationToken);
    }

    // NOAA answers a point with more than four decimals with a redirect to the rounded point: send it rounded.
    private static string Coordinate(ConnectorConfiguration configuration, string key, double defaultValue, double limit)
    {
        var value = defaultValue;
        if (configuration.ContainsKey(key))
        {
            var text = configuration.GetString(key);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || Math.Abs(value) > limit)
            {
                throw new ConfigurationException($"Configuration key '{key}' must be a number of degrees between -{limit} and {limit}; got '{text}'.");
            }
        }

        return Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset ParseTime(string? text, string what) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new InvalidDataException($"{what} is not an ISO-8601 time: '{text}'.");

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Forecast URL {ForecastUrl}")]
    private static partial void LogForecastUrl(ILogger logger, string forecastUrl);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Wrote {Count} forecast periods; the next sync starts at {StartTime}")]
    private static partial void LogSynced(ILogger logger, int count, string? startTime);
}

/// <summary>The connector's state, as the original keeps it: where the next sync starts.</summary>
internal sealed class WeatherState
{
    [JsonPropertyName("startTime")]
    public string? StartTime { get; set; }
}

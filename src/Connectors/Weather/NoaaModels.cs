namespace Tributary.Connectors.Weather;

/// <summary>A GeoJSON feature of api.weather.gov; only its properties are read.</summary>
internal sealed record GeoJsonFeature<TProperties>(TProperties? Properties);

/// <summary>The properties of <c>/points/{latitude},{longitude}</c> the connector needs.</summary>
internal sealed record PointProperties(string? GridId, int GridX, int GridY, string? Forecast);

/// <summary>One period of a forecast (<c>properties.periods[]</c>). Times are kept as NOAA writes them, with their offset.</summary>
internal sealed record ForecastPeriod(int Number, string Name, string StartTime, string EndTime, int Temperature, string? TemperatureUnit);

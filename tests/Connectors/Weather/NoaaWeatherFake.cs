using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.Weather;

/// <summary>
/// A fake of NOAA's api.weather.gov as documented: <c>/points/{lat},{lon}</c> answers a GeoJSON feature whose
/// <c>properties.forecast</c> is the absolute URL of <c>/gridpoints/{office}/{x},{y}/forecast</c>, which answers a feature
/// whose <c>properties.periods</c> are twelve-hour periods. Bodies are <c>application/geo+json</c>, errors
/// <c>application/problem+json</c>, and a request without a <c>User-Agent</c> gets 403 as on the real service.
/// </summary>
internal sealed class NoaaWeatherFake : IAsyncDisposable
{
    public const string Point = "33.6891,-78.8867";
    public const string ForecastPath = "/gridpoints/ILM/58,40/forecast";
    public const int PeriodCount = 14;

    private static readonly TimeSpan EasternDaylight = TimeSpan.FromHours(-4);

    private FakeApi _api = null!;

    private NoaaWeatherFake()
    {
    }

    /// <summary>The start of the forecast's first period; move it on to make the forecast move on.</summary>
    public DateTimeOffset FirstPeriodStart { get; set; } = new(2024, 9, 15, 6, 0, 0, EasternDaylight);

    /// <summary>Added to every temperature: a revised forecast.</summary>
    public int TemperatureShift { get; set; }

    public FakeApi Api => _api;

    public static async Task<NoaaWeatherFake> StartAsync()
    {
        var fake = new NoaaWeatherFake();
        fake._api = await FakeApi.StartAsync(app =>
        {
            app.MapGet("/points/{point}", (HttpContext http, string point) => PointAsync(http, point));
            app.MapGet("/gridpoints/{office}/{grid}/forecast", (HttpContext http, string office, string grid) => fake.ForecastAsync(http, office, grid));
        });
        return fake;
    }

    /// <summary>The periods the forecast serves now, as (startTime, endTime, temperature) in NOAA's text.</summary>
    public IReadOnlyList<(string Start, string End, int Temperature)> Periods() =>
        [.. Enumerable.Range(0, PeriodCount).Select(i =>
        {
            var start = FirstPeriodStart.AddHours(12 * i);
            return (Text(start), Text(start.AddHours(12)), Temperature(start));
        })];

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    private static Task PointAsync(HttpContext http, string point)
    {
        if (Refused(http))
        {
            return ProblemAsync(http, StatusCodes.Status403Forbidden, "Forbidden", "Access denied: send a User-Agent that identifies your application.");
        }

        if (point != Point)
        {
            return ProblemAsync(http, StatusCodes.Status404NotFound, "Data Unavailable For Requested Point", $"Unable to provide data for requested point {point}");
        }

        var root = $"{http.Request.Scheme}://{http.Request.Host}";
        var body = new JsonObject
        {
            ["@context"] = new JsonArray("https://geojson.org/geojson-ld/geojson-context.jsonld"),
            ["id"] = $"{root}/points/{point}",
            ["type"] = "Feature",
            ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(-78.8867, 33.6891) },
            ["properties"] = new JsonObject
            {
                ["@id"] = $"{root}/points/{point}",
                ["@type"] = "wx:Point",
                ["cwa"] = "ILM",
                ["forecastOffice"] = $"{root}/offices/ILM",
                ["gridId"] = "ILM",
                ["gridX"] = 58,
                ["gridY"] = 40,
                ["forecast"] = root + ForecastPath,
                ["forecastHourly"] = root + ForecastPath + "/hourly",
                ["forecastGridData"] = $"{root}/gridpoints/ILM/58,40",
                ["timeZone"] = "America/New_York",
                ["radarStation"] = "KLTX",
            },
        };
        return GeoJsonAsync(http, body);
    }

    private Task ForecastAsync(HttpContext http, string office, string grid)
    {
        if (Refused(http))
        {
            return ProblemAsync(http, StatusCodes.Status403Forbidden, "Forbidden", "Access denied: send a User-Agent that identifies your application.");
        }

        if (office != "ILM" || grid != "58,40")
        {
            return ProblemAsync(http, StatusCodes.Status404NotFound, "Not Found", $"No forecast for {office}/{grid}");
        }

        var periods = new JsonArray();
        var number = 1;
        foreach (var (start, end, temperature) in Periods())
        {
            var startTime = DateTimeOffset.Parse(start, CultureInfo.InvariantCulture);
            var daytime = startTime.Hour == 6;
            periods.Add(new JsonObject
            {
                ["number"] = number++,
                ["name"] = daytime ? startTime.DayOfWeek.ToString() : startTime.DayOfWeek + " Night",
                ["startTime"] = start,
                ["endTime"] = end,
                ["isDaytime"] = daytime,
                ["temperature"] = temperature,
                ["temperatureUnit"] = "F",
                ["temperatureTrend"] = "",
                ["probabilityOfPrecipitation"] = new JsonObject { ["unitCode"] = "wmoUnit:percent", ["value"] = null },
                ["windSpeed"] = "5 to 10 mph",
                ["windDirection"] = "SW",
                ["icon"] = "https://api.weather.gov/icons/land/day/few?size=medium",
                ["shortForecast"] = "Sunny",
                ["detailedForecast"] = "Sunny, with a high near " + temperature + ".",
            });
        }

        var body = new JsonObject
        {
            ["type"] = "Feature",
            ["geometry"] = new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray() },
            ["properties"] = new JsonObject
            {
                ["units"] = "us",
                ["forecastGenerator"] = "BaselineForecastGenerator",
                ["generatedAt"] = Text(FirstPeriodStart),
                ["updateTime"] = Text(FirstPeriodStart),
                ["periods"] = periods,
            },
        };
        return GeoJsonAsync(http, body);
    }

    private int Temperature(DateTimeOffset start) => 70 + (start.Day % 7) + (start.Hour == 6 ? 10 : 0) + TemperatureShift;

    private static string Text(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static bool Refused(HttpContext http) => string.IsNullOrWhiteSpace(http.Request.Headers.UserAgent);

    private static Task GeoJsonAsync(HttpContext http, JsonObject body)
    {
        http.Response.ContentType = "application/geo+json";
        return http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted);
    }

    private static Task ProblemAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json";
        var body = new JsonObject
        {
            ["correlationId"] = "1a2b3c",
            ["title"] = title,
            ["type"] = "https://api.weather.gov/problems/" + title.Replace(' ', '-'),
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = "https://api.weather.gov/requests/1a2b3c",
        };
        return http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted);
    }
}

using System.Globalization;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Connectors.Weather;
using Xunit;

namespace Tributary.Connectors.Tests.Weather;

// No credential test and no secret test: NOAA's API is public, and the connector reads no secret.
public sealed class WeatherConnectorTests
{
    private static readonly DateTimeOffset FirstStart = new(2024, 9, 15, 6, 0, 0, TimeSpan.FromHours(-4));

    [Fact]
    public async Task UpdateAsync_FirstThenSecondSync_WritesForecastThenOnlyNewPeriods()
    {
        await using var fake = await NoaaWeatherFake.StartAsync();
        await using var harness = new ConnectorHarness("weather");
        var expected = fake.Periods();

        var first = await harness.RunAsync(new WeatherConnector(), Configuration(fake));

        RunAssert.Succeeded(first);
        Assert.Equal(NoaaWeatherFake.PeriodCount, first.Tables["period"].Upserts);
        RunAssert.JsonEqual($$"""{"startTime": "{{expected[^1].End}}"}""", await harness.ReadStateAsync());
        var rows = await harness.RowsAsync("period", "start_time");
        Assert.Equal(expected.Select(p => (Time(p.Start), p.Temperature)), rows.Select(Period));
        Assert.All(fake.Api.Requests, r => Assert.StartsWith("Tributary-Weather-Example/1.0", r.Headers["user-agent"], StringComparison.Ordinal));
        Assert.Equal(["/points/33.6891,-78.8867", NoaaWeatherFake.ForecastPath], fake.Api.Requests.Select(r => r.PathAndQuery));

        // A day later the forecast starts a day later and ends with two new periods; the overlap is revised.
        fake.FirstPeriodStart = FirstStart.AddDays(1);
        fake.TemperatureShift = 3;
        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Api.ClearRequests();
        var moved = fake.Periods();

        var second = await harness.RunAsync(new WeatherConnector(), Configuration(fake));

        RunAssert.Succeeded(second);
        Assert.Equal(2, second.Tables["period"].Upserts);
        Assert.Equal(["/points/33.6891,-78.8867", NoaaWeatherFake.ForecastPath], fake.Api.Requests.Select(r => r.PathAndQuery));
        RunAssert.JsonEqual($$"""{"startTime": "{{moved[^1].End}}"}""", await harness.ReadStateAsync());
        rows = await harness.RowsAsync("period", "start_time");
        Assert.Equal(NoaaWeatherFake.PeriodCount + 2, rows.Count);
        Assert.Equal(moved.TakeLast(2).Select(p => (Time(p.Start), p.Temperature)), rows.TakeLast(2).Select(Period));
        Assert.Equal(expected[^1].Temperature, Period(rows[NoaaWeatherFake.PeriodCount - 1]).Temperature);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndWritesTheSameRows()
    {
        await using var fake = await NoaaWeatherFake.StartAsync();
        fake.Api.Inject(Fault.Unavailable(), r => r.Path.StartsWithSegments("/points"));
        fake.Api.Inject(Fault.TooManyRequests(1), r => r.Path.StartsWithSegments("/gridpoints"));
        await using var harness = new ConnectorHarness("weather");

        var run = await harness.RunAsync(new WeatherConnector(), Configuration(fake));

        RunAssert.Succeeded(run);
        Assert.Equal(4, fake.Api.Requests.Count);
        var rows = await harness.RowsAsync("period", "start_time");
        Assert.Equal(fake.Periods().Select(p => (Time(p.Start), p.Temperature)), rows.Select(Period));
    }

    [Fact]
    public async Task UpdateAsync_MalformedForecast_FailsNamingTheUrlKeepsStateAndRerunConverges()
    {
        await using var fake = await NoaaWeatherFake.StartAsync();
        await using var harness = new ConnectorHarness("weather");
        RunAssert.Succeeded(await harness.RunAsync(new WeatherConnector(), Configuration(fake)));
        var stateAfterFirst = (await harness.ReadStateAsync()).ToJsonString();
        fake.FirstPeriodStart = FirstStart.AddDays(1);
        harness.Time.Advance(TimeSpan.FromDays(1));
        fake.Api.Inject(Fault.Malformed(), r => r.Path.StartsWithSegments("/gridpoints"));

        var failed = await harness.RunAsync(new WeatherConnector(), Configuration(fake));

        RunAssert.Failed(failed, NoaaWeatherFake.ForecastPath);
        RunAssert.JsonEqual(stateAfterFirst, await harness.ReadStateAsync());
        Assert.Equal(NoaaWeatherFake.PeriodCount, (await harness.RowsAsync("period", "start_time")).Count);

        var rerun = await harness.RunAsync(new WeatherConnector(), Configuration(fake));

        RunAssert.Succeeded(rerun);
        RunAssert.JsonEqual($$"""{"startTime": "{{fake.Periods()[^1].End}}"}""", await harness.ReadStateAsync());
        var rows = await harness.RowsAsync("period", "start_time");
        Assert.Equal(NoaaWeatherFake.PeriodCount + 2, rows.Count);
        Assert.Equal(fake.Periods().Select(p => Time(p.Start)), rows.Skip(2).Select(r => Period(r).Start));
    }

    [Fact]
    public async Task UpdateAsync_LatitudeOutOfRange_FailsNamingTheKey()
    {
        await using var fake = await NoaaWeatherFake.StartAsync();
        await using var harness = new ConnectorHarness("weather");
        var configuration = Configuration(fake);
        configuration["latitude"] = "123.4";

        var run = await harness.RunAsync(new WeatherConnector(), configuration);

        RunAssert.Failed(run, "'latitude'");
        Assert.Empty(fake.Api.Requests);
    }

    private static Dictionary<string, string> Configuration(NoaaWeatherFake fake)
    {
        var configuration = SampleConfiguration.Read("Weather");
        configuration["base_url"] = fake.Api.BaseUri.AbsoluteUri;
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static (DateTimeOffset Start, int Temperature) Period(IReadOnlyDictionary<string, object?> row) =>
        (ToOffset(row["start_time"]), Convert.ToInt32(row["temperature"], CultureInfo.InvariantCulture));

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static DateTimeOffset ToOffset(object? value) => value switch
    {
        DateTimeOffset offset => offset,
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => throw new InvalidOperationException($"start_time is {value?.GetType().Name ?? "null"}"),
    };
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.Marketstack;

/// <summary>
/// A fake of Marketstack's v1 end-of-day endpoint, as its documentation describes it:
/// <c>GET /v1/eod?access_key&amp;symbols&amp;date_from&amp;date_to&amp;sort&amp;limit&amp;offset</c> answers
/// <c>{"pagination": {"limit", "offset", "count", "total"}, "data": [{open, high, low, close, volume, adj_*, split_factor,
/// dividend, symbol, exchange, date}]}</c>, newest first unless <c>sort=ASC</c>, one bar per weekday up to
/// <see cref="LastDay"/>. Errors have Marketstack's shape, <c>{"error": {"code", "message"[, "context"]}}</c>: 401
/// <c>missing_access_key</c> / <c>invalid_access_key</c>, 422 <c>validation_error</c>.
/// </summary>
internal sealed class MarketstackFake : IAsyncDisposable
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    private static readonly Dictionary<string, string> Exchanges = new(StringComparer.Ordinal)
    {
        ["AAPL"] = "XNAS",
        ["MSFT"] = "XNAS",
        ["GOOG"] = "XNAS",
        ["INTC"] = "XNAS",
        ["IBM"] = "XNYS",
    };

    private readonly HashSet<string> _validKeys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private MarketstackFake(string accessKey, DateOnly lastDay)
    {
        _validKeys.Add(accessKey);
        LastDay = lastDay;
    }

    /// <summary>The last day with end-of-day prices; a test moves it forward to publish new days.</summary>
    public DateOnly LastDay { get; set; }

    public FakeApi Api { get; private set; } = null!;

    public static async Task<MarketstackFake> StartAsync(string accessKey, DateOnly lastDay)
    {
        var fake = new MarketstackFake(accessKey, lastDay);
        fake.Api = await FakeApi.StartAsync(app => app.MapGet("/v1/eod", fake.EndOfDay));
        return fake;
    }

    /// <summary>Revokes an access key, as resetting it in the Marketstack dashboard does.</summary>
    public void Revoke(string accessKey)
    {
        lock (_gate)
        {
            _validKeys.Remove(accessKey);
        }
    }

    /// <summary>The days with a bar (for every symbol) from <paramref name="from"/> to <paramref name="to"/>, oldest first.</summary>
    public IReadOnlyList<DateOnly> TradingDays(DateOnly from, DateOnly to)
    {
        var days = new List<DateOnly>();
        for (var day = from; day <= to && day <= LastDay; day = day.AddDays(1))
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                days.Add(day);
            }
        }

        return days;
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    /// <summary>Marketstack's timestamp of a day's bar: <c>2024-09-13T00:00:00+0000</c>.</summary>
    public static string Timestamp(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00+0000";

    private IResult EndOfDay(HttpRequest request)
    {
        var key = request.Query["access_key"].ToString();
        if (key.Length == 0)
        {
            return Error(StatusCodes.Status401Unauthorized, "missing_access_key", "You have not supplied an API Access Key. [Required format: access_key=YOUR_ACCESS_KEY]");
        }

        lock (_gate)
        {
            if (!_validKeys.Contains(key))
            {
                return Error(StatusCodes.Status401Unauthorized, "invalid_access_key", "You have not supplied a valid API Access Key. [Technical Support: support@apilayer.com]");
            }
        }

        var symbols = request.Query["symbols"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (symbols.Length == 0)
        {
            return Validation("symbols", "missing_symbols", "You did not specify any symbols.");
        }

        if (!TryDate(request, "date_from", DateOnly.MinValue, out var from) || !TryDate(request, "date_to", DateOnly.MaxValue, out var to))
        {
            return Validation("date_from", "invalid_date", "The date must be in the format YYYY-MM-DD.");
        }

        if (!TryInt(request, "limit", DefaultLimit, 1, MaxLimit, out var limit))
        {
            return Validation("limit", "invalid_limit", $"The limit must be from 1 to {MaxLimit}.");
        }

        if (!TryInt(request, "offset", 0, 0, int.MaxValue, out var offset))
        {
            return Validation("offset", "invalid_offset", "The offset must be a non-negative integer.");
        }

        var ascending = string.Equals(request.Query["sort"].ToString(), "ASC", StringComparison.OrdinalIgnoreCase);
        var bars = symbols
            .Where(Exchanges.ContainsKey)
            .SelectMany(symbol => TradingDays(from, to).Select(day => (Symbol: symbol, Day: day)))
            .ToList();
        var ordered = ascending
            ? bars.OrderBy(b => b.Day).ThenBy(b => b.Symbol, StringComparer.Ordinal)
            : bars.OrderByDescending(b => b.Day).ThenBy(b => b.Symbol, StringComparer.Ordinal);
        var page = ordered.Skip(offset).Take(limit).Select(b => Bar(b.Symbol, b.Day)).ToList();

        return Results.Json(new JsonObject
        {
            ["pagination"] = new JsonObject { ["limit"] = limit, ["offset"] = offset, ["count"] = page.Count, ["total"] = bars.Count },
            ["data"] = new JsonArray([.. page]),
        });
    }

    /// <summary>One day's bar: prices that move deterministically with the symbol and the day.</summary>
    private static JsonObject Bar(string symbol, DateOnly day)
    {
        var seed = symbol.Sum(c => c) % 200;
        var open = 100m + seed + (day.DayNumber % 37);
        var close = open + ((day.DayNumber % 7) - 3);
        var volume = 1_000_000d + (seed * 1000) + (day.DayNumber % 97 * 100);
        return new JsonObject
        {
            ["open"] = open,
            ["high"] = Math.Max(open, close) + 1.5m,
            ["low"] = Math.Min(open, close) - 1.25m,
            ["close"] = close,
            ["volume"] = volume,
            ["adj_high"] = Math.Max(open, close) + 1.5m,
            ["adj_low"] = Math.Min(open, close) - 1.25m,
            ["adj_close"] = close,
            ["adj_open"] = open,
            ["adj_volume"] = volume,
            ["split_factor"] = 1.0m,
            ["dividend"] = 0.0m,
            ["symbol"] = symbol,
            ["exchange"] = Exchanges[symbol],
            ["date"] = Timestamp(day),
        };
    }

    private static bool TryDate(HttpRequest request, string name, DateOnly defaultValue, out DateOnly value)
    {
        var text = request.Query[name].ToString();
        value = defaultValue;
        return text.Length == 0 || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    private static bool TryInt(HttpRequest request, string name, int defaultValue, int min, int max, out int value)
    {
        var text = request.Query[name].ToString();
        value = defaultValue;
        return text.Length == 0
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }, statusCode: status);

    private static IResult Validation(string parameter, string key, string message) => Results.Json(
        new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "validation_error",
                ["message"] = "Request failed with validation error",
                ["context"] = new JsonObject { [parameter] = new JsonArray(new JsonObject { ["key"] = key, ["message"] = message }) },
            },
        },
        statusCode: StatusCodes.Status422UnprocessableEntity);
}

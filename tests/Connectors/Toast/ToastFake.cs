using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.Toast;

/// <summary>One order: a check with one selection and one payment.</summary>
public sealed record FakeOrder(string Guid, DateTimeOffset ModifiedDate, string Item, decimal Amount, bool Deleted = false);

/// <summary>
/// A fake of Toast's APIs (https://doc.toasttab.com/): the machine-client login at
/// <c>POST /authentication/v1/authentication/login</c> (JSON <c>clientId</c>, <c>clientSecret</c>, <c>userAccessType</c>,
/// answering <c>token.accessToken</c>); a Bearer token and <c>Toast-Restaurant-External-ID</c> on every restaurant call;
/// <c>/partners/v1/restaurants</c>; configuration lists paged by the <c>Toast-Next-Page-Token</c> header and <c>pageToken</c>;
/// <c>/labor/v1/employees</c>; <c>/orders/v2/ordersBulk</c> with <c>startDate</c>/<c>endDate</c> on the modified time,
/// <c>page</c> and <c>pageSize</c> (at most 100). Errors as <c>{"status", "code", "message"}</c>.
/// </summary>
public sealed class ToastFake : IAsyncDisposable
{
    public const string Restaurant = "6b2d1a5e-0000-4000-8000-000000000001";
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);

    private ToastFake(FakeApi api) => Api = api;

    public FakeApi Api { get; }

    public string ClientId { get; } = "toast-machine-client";

    /// <summary>The client secret the fake accepts; change it to revoke the connection's.</summary>
    public string ClientSecret { get; set; } = "toast-secret-0123456789abcdef";

    public ConcurrentDictionary<string, FakeOrder> Orders { get; } = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Tokens => [.. _tokens.Keys];

    public static async Task<ToastFake> StartAsync()
    {
        ToastFake? fake = null;
        var api = await FakeApi.StartAsync(app =>
        {
            app.MapPost("/authentication/v1/authentication/login", (HttpRequest request) => fake!.LoginAsync(request));
            app.MapGet("/partners/v1/restaurants", (HttpRequest request) => fake!.Authorized(request, needsRestaurant: false, () => Results.Json(new JsonArray(new JsonObject
            {
                ["restaurantGuid"] = Restaurant,
                ["restaurantName"] = "Harbor Grill",
                ["locationName"] = "Boston",
                ["managementGroupGuid"] = "a1b2c3d4-0000-4000-8000-00000000000a",
                ["isoModifiedDate"] = "2024-01-05T10:00:00.000Z",
                ["deleted"] = false,
            }))));
            app.MapGet("/config/v2/{name}", (HttpRequest request, string name) => fake!.Authorized(request, needsRestaurant: true, () => Config(request, name)));
            app.MapGet("/labor/v1/employees", (HttpRequest request) => fake!.Authorized(request, needsRestaurant: true, () => Results.Json(new JsonArray(
                new JsonObject { ["guid"] = "emp-1", ["entityType"] = "RestaurantUser", ["firstName"] = "Sam", ["lastName"] = "Cook", ["deleted"] = false },
                new JsonObject { ["guid"] = "emp-2", ["entityType"] = "RestaurantUser", ["firstName"] = "Lee", ["lastName"] = "Host", ["deleted"] = true }))));
            app.MapGet("/orders/v2/ordersBulk", (HttpRequest request) => fake!.Authorized(request, needsRestaurant: true, () => fake.OrdersBulk(request)));
        });
        fake = new ToastFake(api);
        return fake;
    }

    public void RevokeTokens() => _tokens.Clear();

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private async Task<IResult> LoginAsync(HttpRequest request)
    {
        var body = await request.ReadFromJsonAsync<JsonObject>();
        if (body?["clientId"]?.GetValue<string>() != ClientId || body["clientSecret"]?.GetValue<string>() != ClientSecret
            || body["userAccessType"]?.GetValue<string>() != "TOAST_MACHINE_CLIENT")
        {
            return Error(401, 10010, "Authentication failed: invalid client credentials.");
        }

        var token = "eyJ" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        _tokens[token] = true;
        return Results.Json(new JsonObject
        {
            ["@class"] = ".SuccessfulResponse",
            ["token"] = new JsonObject { ["tokenType"] = "Bearer", ["scope"] = "orders:read config:read labor:read", ["expiresIn"] = 86400, ["accessToken"] = token, ["idToken"] = null, ["refreshToken"] = null },
            ["status"] = "SUCCESS",
        });
    }

    private IResult Authorized(HttpRequest request, bool needsRestaurant, Func<IResult> answer)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            return Error(401, 10001, "Authentication failed.");
        }

        if (needsRestaurant && request.Headers["Toast-Restaurant-External-ID"] != Restaurant)
        {
            return Error(400, 10003, "The Toast-Restaurant-External-ID header is missing or names an unknown restaurant.");
        }

        return answer();
    }

    // Three dining options, two a page; one revenue center; one service area.
    private static IResult Config(HttpRequest request, string name)
    {
        JsonObject[] all = name switch
        {
            "diningOptions" =>
            [
                new() { ["guid"] = "do-1", ["entityType"] = "DiningOption", ["name"] = "Dine In", ["behavior"] = "DINE_IN", ["curbside"] = false },
                new() { ["guid"] = "do-2", ["entityType"] = "DiningOption", ["name"] = "Take Out", ["behavior"] = "TAKE_OUT", ["curbside"] = false },
                new() { ["guid"] = "do-3", ["entityType"] = "DiningOption", ["name"] = "Curbside", ["behavior"] = "TAKE_OUT", ["curbside"] = true },
            ],
            "revenueCenters" => [new() { ["guid"] = "rc-1", ["entityType"] = "RevenueCenter", ["name"] = "Bar" }],
            "serviceAreas" => [new() { ["guid"] = "sa-1", ["entityType"] = "ServiceArea", ["name"] = "Patio", ["revenueCenter"] = new JsonObject { ["guid"] = "rc-1", ["entityType"] = "RevenueCenter" } }],
            _ => [],
        };
        var offset = int.Parse(request.Query["pageToken"].FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
        if (offset + 2 < all.Length)
        {
            request.HttpContext.Response.Headers["Toast-Next-Page-Token"] = (offset + 2).ToString(CultureInfo.InvariantCulture);
        }

        return Results.Json(new JsonArray([.. all.Skip(offset).Take(2)]));
    }

    private IResult OrdersBulk(HttpRequest request)
    {
        var start = DateTimeOffset.Parse(request.Query["startDate"].ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var end = DateTimeOffset.Parse(request.Query["endDate"].ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var page = int.Parse(request.Query["page"].FirstOrDefault() ?? "1", CultureInfo.InvariantCulture);
        var pageSize = int.Parse(request.Query["pageSize"].FirstOrDefault() ?? "100", CultureInfo.InvariantCulture);
        if (pageSize is < 1 or > 100)
        {
            return Error(400, 10002, "pageSize must be between 1 and 100.");
        }

        var orders = Orders.Values.Where(o => o.ModifiedDate >= start && o.ModifiedDate < end).OrderBy(o => o.ModifiedDate)
            .Skip((page - 1) * pageSize).Take(pageSize).Select(o => (JsonNode)Order(o));
        return Results.Json(new JsonArray([.. orders]));
    }

    private static JsonObject Order(FakeOrder o)
    {
        string Time(TimeSpan offset) => (o.ModifiedDate + offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);
        var server = new JsonObject { ["guid"] = "emp-1", ["entityType"] = "RestaurantUser", ["externalId"] = null };
        return new JsonObject
        {
            ["guid"] = o.Guid,
            ["entityType"] = "Order",
            ["displayNumber"] = o.Guid[1..],
            ["source"] = "In Store",
            ["businessDate"] = int.Parse(o.ModifiedDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            ["openedDate"] = Time(TimeSpan.FromMinutes(-30)),
            ["createdDate"] = Time(TimeSpan.FromMinutes(-30)),
            ["closedDate"] = Time(TimeSpan.Zero),
            ["modifiedDate"] = Time(TimeSpan.Zero),
            ["deleted"] = o.Deleted,
            ["voided"] = o.Deleted,
            ["server"] = server.DeepClone(),
            ["diningOption"] = new JsonObject { ["guid"] = "do-1", ["entityType"] = "DiningOption" },
            ["revenueCenter"] = new JsonObject { ["guid"] = "rc-1", ["entityType"] = "RevenueCenter" },
            ["table"] = null,
            ["pricingFeatures"] = new JsonArray("TAXESV2"),
            ["checks"] = new JsonArray(new JsonObject
            {
                ["guid"] = $"c-{o.Guid}",
                ["entityType"] = "Check",
                ["displayNumber"] = "1",
                ["amount"] = o.Amount,
                ["totalAmount"] = o.Amount * 1.0625m,
                ["deleted"] = o.Deleted,
                ["openedDate"] = Time(TimeSpan.FromMinutes(-30)),
                ["modifiedDate"] = Time(TimeSpan.Zero),
                ["customer"] = null,
                ["selections"] = new JsonArray(new JsonObject
                {
                    ["guid"] = $"s-{o.Guid}",
                    ["entityType"] = "MenuItemSelection",
                    ["displayName"] = o.Item,
                    ["quantity"] = 1,
                    ["price"] = o.Amount,
                    ["item"] = new JsonObject { ["guid"] = "mi-1", ["entityType"] = "MenuItem" },
                    ["appliedTaxes"] = new JsonArray(),
                    ["modifiers"] = new JsonArray(),
                }),
                ["payments"] = new JsonArray(new JsonObject
                {
                    ["guid"] = $"p-{o.Guid}",
                    ["entityType"] = "OrderPayment",
                    ["type"] = "CREDIT",
                    ["amount"] = o.Amount * 1.0625m,
                    ["tipAmount"] = 2,
                    ["paidDate"] = Time(TimeSpan.Zero),
                    ["server"] = server.DeepClone(),
                }),
            }),
        };
    }

    private static IResult Error(int status, int code, string message) =>
        Results.Json(new JsonObject { ["status"] = status, ["code"] = code, ["message"] = message, ["messageKey"] = null, ["requestId"] = Guid.NewGuid().ToString() }, statusCode: status);
}

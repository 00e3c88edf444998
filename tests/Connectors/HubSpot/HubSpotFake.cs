using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.HubSpot;

/// <summary>One event occurrence.</summary>
public sealed record FakeEvent(string Id, string EventType, long ObjectId, DateTimeOffset OccurredAt, string Url);

/// <summary>
/// A fake of HubSpot's events API, <c>GET /events/v3/events/</c>
/// (https://developers.hubspot.com/docs/guides/api/analytics-and-events/event-analytics): a private app's token as
/// <c>Authorization: Bearer</c>; <c>eventType</c>, <c>occurredAfter</c> (inclusive) and <c>occurredBefore</c> (exclusive);
/// <c>limit</c>; an opaque <c>after</c> cursor answered in <c>paging.next.after</c> (with <c>paging.next.link</c>);
/// occurrences as <c>{objectType, objectId, eventType, occurredAt, id, properties}</c>; errors as
/// <c>{"status":"error","message","correlationId","category"}</c>.
/// </summary>
public sealed class HubSpotFake : IAsyncDisposable
{
    private readonly ConcurrentBag<FakeEvent> _events = [];

    private HubSpotFake(FakeApi api) => Api = api;

    public FakeApi Api { get; }

    /// <summary>The private app token the fake accepts; change it to revoke the connection's.</summary>
    public string Token { get; set; } = "pat-na1-11111111-2222-3333-4444-555555555555";

    public static async Task<HubSpotFake> StartAsync()
    {
        HubSpotFake? fake = null;
        var api = await FakeApi.StartAsync(app => app.MapGet("/events/v3/events/", (HttpRequest request) => fake!.Events(request)));
        fake = new HubSpotFake(api);
        return fake;
    }

    public void Add(FakeEvent occurrence) => _events.Add(occurrence);

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private IResult Events(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            return Results.Json(
                new JsonObject
                {
                    ["status"] = "error",
                    ["message"] = "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
                    ["correlationId"] = Guid.NewGuid().ToString(),
                    ["category"] = "INVALID_AUTHENTICATION",
                },
                statusCode: StatusCodes.Status401Unauthorized);
        }

        var limit = int.Parse(request.Query["limit"].FirstOrDefault() ?? "100", CultureInfo.InvariantCulture);
        var offset = request.Query["after"].FirstOrDefault() is { Length: > 0 } after
            ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(after)), CultureInfo.InvariantCulture)
            : 0;
        var eventType = request.Query["eventType"].ToString();
        var from = Parse(request.Query["occurredAfter"]) ?? DateTimeOffset.MinValue;
        var to = Parse(request.Query["occurredBefore"]) ?? DateTimeOffset.MaxValue;
        var matching = _events
            .Where(e => (eventType.Length == 0 || e.EventType == eventType) && e.OccurredAt >= from && e.OccurredAt < to)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList();

        var results = new JsonArray([.. matching.Skip(offset).Take(limit).Select(e => (JsonNode)new JsonObject
        {
            ["objectType"] = "CONTACT",
            ["objectId"] = e.ObjectId.ToString(CultureInfo.InvariantCulture),
            ["eventType"] = e.EventType,
            ["occurredAt"] = e.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["id"] = e.Id,
            ["properties"] = new JsonObject { ["hs_url"] = e.Url, ["hs_title"] = $"Page {e.Url}", ["hs_referrer"] = null },
        })]);
        var body = new JsonObject { ["results"] = results };
        if (offset + limit < matching.Count)
        {
            var next = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + limit).ToString(CultureInfo.InvariantCulture)));
            body["paging"] = new JsonObject
            {
                ["next"] = new JsonObject { ["after"] = next, ["link"] = $"{Api.BaseUri}events/v3/events/?after={Uri.EscapeDataString(next)}" },
            };
        }

        return Results.Json(body);
    }

    private static DateTimeOffset? Parse(string? text) => string.IsNullOrEmpty(text)
        ? null
        : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

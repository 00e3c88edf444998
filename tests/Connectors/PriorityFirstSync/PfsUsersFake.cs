using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.PriorityFirstSync;

/// <summary>
/// A fake of the Fivetran API playground's keyset endpoint the original reads, <c>GET /pagination/keyset?updated_since=</c>:
/// <c>{"data": [users in updated_at order, updated after updated_since], "has_more": bool}</c>, <see cref="PageSize"/> a page.
/// Each request can move the test's clock on (<see cref="OnRequest"/>), so a sync's time budget runs out deterministically.
/// </summary>
internal sealed class PfsUsersFake : IAsyncDisposable
{
    public const string Path = "/pagination/keyset";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<DateTimeOffset, JsonObject> _users = [];
    private FakeApi _api = null!;

    private PfsUsersFake()
    {
    }

    public FakeApi Api => _api;

    public int PageSize { get; set; } = 24;

    /// <summary>Called before each request is answered.</summary>
    public Action? OnRequest { get; set; }

    public static async Task<PfsUsersFake> StartAsync()
    {
        var fake = new PfsUsersFake();
        fake._api = await FakeApi.StartAsync(app => app.MapGet(Path, fake.Users));
        return fake;
    }

    /// <summary>Adds one user updated at each whole hour from <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public void AddHourly(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            for (var at = from; at <= to; at = at.AddHours(1))
            {
                _users[at] = new JsonObject
                {
                    ["id"] = Id(at),
                    ["name"] = "User " + Id(at),
                    ["email"] = Id(at) + "@example.com",
                    ["address"] = "1 Main St\nSpringfield",
                    ["company"] = "Acme",
                    ["job"] = "Engineer",
                    ["updated_at"] = Text(at),
                    ["created_at"] = Text(at),
                };
            }
        }
    }

    public static string Id(DateTimeOffset at) => "user-" + at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public static string Text(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The updated_since values the fake was asked for, in order.</summary>
    public IReadOnlyList<DateTimeOffset> AskedSince() =>
        [.. _api.RequestsTo(Path).Select(r => DateTimeOffset.Parse(
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(r.PathAndQuery[r.PathAndQuery.IndexOf('?', StringComparison.Ordinal)..])["updated_since"]!,
            CultureInfo.InvariantCulture))];

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    private IResult Users(string? updated_since)
    {
        OnRequest?.Invoke();
        DateTimeOffset since = DateTimeOffset.MinValue;
        if (updated_since is not null && !DateTimeOffset.TryParse(updated_since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out since))
        {
            return Results.BadRequest(new { error = "updated_since must be an ISO-8601 time" });
        }

        JsonObject[] after;
        lock (_gate)
        {
            after = [.. _users.Where(u => u.Key > since).Select(u => u.Value)];
        }

        var body = new JsonObject
        {
            ["data"] = new JsonArray([.. after.Take(PageSize).Select(u => u.DeepClone())]),
            ["has_more"] = after.Length > PageSize,
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.RecordsWithNoCreatedAtTimestamp;

/// <summary>
/// A source that overwrites its users in place and keeps no creation time: <c>GET /v1/users?updated_since=&amp;page=&amp;per_page=</c>
/// answers <c>{"users": [...], "page", "per_page", "total_pages"}</c>, the current version of each user updated at or after
/// <c>updated_since</c>, in <c>updated_at</c> order.
/// </summary>
internal sealed class UsersWithoutCreatedAtFake : IAsyncDisposable
{
    public const string Path = "/v1/users";

    private readonly Lock _gate = new();
    private readonly Dictionary<int, (string First, string Last, string Designation, DateTimeOffset UpdatedAt)> _users = [];
    private FakeApi _api = null!;

    private UsersWithoutCreatedAtFake()
    {
    }

    public FakeApi Api => _api;

    public static async Task<UsersWithoutCreatedAtFake> StartAsync()
    {
        var fake = new UsersWithoutCreatedAtFake();
        fake._api = await FakeApi.StartAsync(app => app.MapGet(Path, fake.Users));
        return fake;
    }

    /// <summary>Writes a user's current version, replacing the one before: the source keeps no history.</summary>
    public void Put(int id, string first, string last, string designation, DateTimeOffset updatedAt)
    {
        lock (_gate)
        {
            _users[id] = (first, last, designation, updatedAt);
        }
    }

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    private IResult Users(string? updated_since, int? page, int? per_page)
    {
        var since = DateTimeOffset.MinValue;
        if (updated_since is not null && !DateTimeOffset.TryParse(updated_since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out since))
        {
            return Results.BadRequest(new { error = "updated_since must be an ISO-8601 time" });
        }

        var size = Math.Clamp(per_page ?? 20, 1, 100);
        var number = Math.Max(page ?? 1, 1);
        JsonObject[] matching;
        lock (_gate)
        {
            matching =
            [
                .. _users.Where(u => u.Value.UpdatedAt >= since).OrderBy(u => u.Value.UpdatedAt).ThenBy(u => u.Key).Select(u => new JsonObject
                {
                    ["id"] = u.Key,
                    ["first_name"] = u.Value.First,
                    ["last_name"] = u.Value.Last,
                    ["designation"] = u.Value.Designation,
                    ["updated_at"] = u.Value.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                }),
            ];
        }

        var body = new JsonObject
        {
            ["users"] = new JsonArray([.. matching.Skip((number - 1) * size).Take(size)]),
            ["page"] = number,
            ["per_page"] = size,
            ["total_pages"] = (matching.Length + size - 1) / size,
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tributary.Connectors.Tests.Playground;

/// <summary>
/// The users the authentication examples read: the data of Fivetran's API playground (<c>/auth/*</c>), served the way a
/// real API would serve a changing collection (<see cref="UpdatedSincePages"/>: by <c>updatedAt</c>, then <c>id</c>).
/// </summary>
public sealed class PlaygroundUsers
{
    /// <summary>When the first user was created; user <c>n</c> was created and last updated <c>n</c> hours later.</summary>
    public static readonly DateTimeOffset Epoch = new(2024, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _users = [];

    /// <param name="count">How many users exist at the start.</param>
    public PlaygroundUsers(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            Add(Epoch.AddHours(i));
        }
    }

    /// <summary>The users as the API holds them now, in id order.</summary>
    public IReadOnlyList<JsonObject> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _users.Select(u => (JsonObject)u.DeepClone())];
            }
        }
    }

    /// <summary>Creates a user at <paramref name="at"/> and returns its id.</summary>
    public string Add(DateTimeOffset at)
    {
        lock (_gate)
        {
            var n = _users.Count + 1;
            var id = $"u-{n:D3}";
            _users.Add(new JsonObject
            {
                ["id"] = id,
                ["name"] = $"User {n}",
                ["email"] = $"user{n}@example.com",
                ["address"] = $"{n} Main Street",
                ["company"] = $"Company {(n % 4) + 1}",
                ["job"] = "Engineer",
                ["createdAt"] = Format(at),
                ["updatedAt"] = Format(at),
            });
            return id;
        }
    }

    /// <summary>Gives user <paramref name="id"/> a new job and moves its <c>updatedAt</c> to <paramref name="at"/>.</summary>
    public void Update(string id, string job, DateTimeOffset at)
    {
        lock (_gate)
        {
            var user = _users.Single(u => (string?)u["id"] == id);
            user["job"] = job;
            user["updatedAt"] = Format(at);
        }
    }

    /// <summary>Serves one page of users, or 400 for a parameter a real API would refuse.</summary>
    public IResult Page(HttpRequest request)
    {
        List<JsonObject> users;
        lock (_gate)
        {
            users = [.. _users.Select(u => (JsonObject)u.DeepClone())];
        }

        return UpdatedSincePages.Serve(request, users, "updatedAt", "id");
    }

    /// <summary>An ISO-8601 UTC timestamp as the API writes them: <c>2024-09-01T01:00:00Z</c>.</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

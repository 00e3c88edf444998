using System.Globalization;
using System.Text.Json.Nodes;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>One user of the playground's sample API, with the fields its endpoints serve.</summary>
internal sealed record PlaygroundUser(
    string Id,
    string Name,
    string Email,
    string Address,
    string Company,
    string Job,
    DateTimeOffset UpdatedAt,
    DateTimeOffset CreatedAt)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["name"] = Name,
        ["email"] = Email,
        ["address"] = Address,
        ["company"] = Company,
        ["job"] = Job,
        ["updatedAt"] = PlaygroundTime.Format(UpdatedAt),
        ["createdAt"] = PlaygroundTime.Format(CreatedAt),
    };
}

/// <summary>The playground's timestamps: ISO-8601 UTC to the second, <c>2024-09-22T19:35:41Z</c>.</summary>
internal static class PlaygroundTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses an <c>updated_since</c>; null when it is not an ISO-8601 timestamp.</summary>
    public static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}

/// <summary>
/// The users behind the playground's pagination endpoints: a deterministic set that a test changes between syncs
/// (<see cref="Change"/>), so an incremental sync has something new to read. Thread-safe.
/// </summary>
internal sealed class PlaygroundUsers
{
    private static readonly string[] FirstNames = ["Mark", "Alan", "Grace", "Ada", "Linus", "Barbara", "Ken", "Edsger"];
    private static readonly string[] LastNames = ["Taylor", "Turing", "Hopper", "Lovelace", "Torvalds", "Liskov", "Thompson"];
    private static readonly string[] Jobs = ["Pilot, airline", "Dispensing optician", "Geologist", "Translator", "Actuary"];

    private readonly Lock _gate = new();
    private readonly List<PlaygroundUser> _users = [];
    private int _edits;

    /// <summary><paramref name="count"/> users created an hour apart, the last one an hour before <paramref name="before"/>;
    /// each was updated 30 minutes after it was created.</summary>
    public PlaygroundUsers(int count, DateTimeOffset before)
    {
        for (var i = 0; i < count; i++)
        {
            var created = before.AddHours(-(count - i));
            _users.Add(NewUser(i, created, created.AddMinutes(30)));
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _users.Count;
            }
        }
    }

    /// <summary>Every user, ordered by id.</summary>
    public IReadOnlyList<PlaygroundUser> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _users.OrderBy(u => u.Id, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Renames the first <paramref name="updated"/> users (in creation order) and adds <paramref name="added"/>
    /// new ones, stamping them a second apart from <paramref name="at"/>. Returns the ids of the changed users.</summary>
    public IReadOnlyList<string> Change(int updated, int added, DateTimeOffset at)
    {
        lock (_gate)
        {
            _edits++;
            var changed = new List<string>();
            var stamp = at;
            for (var i = 0; i < updated; i++)
            {
                var user = _users[i];
                _users[i] = user with { Name = $"{user.Name} (edit {_edits})", Job = Jobs[(i + _edits) % Jobs.Length], UpdatedAt = stamp };
                changed.Add(user.Id);
                stamp = stamp.AddSeconds(1);
            }

            for (var i = 0; i < added; i++)
            {
                var user = NewUser(_users.Count, stamp, stamp);
                _users.Add(user);
                changed.Add(user.Id);
                stamp = stamp.AddSeconds(1);
            }

            return changed;
        }
    }

    /// <summary>The users updated at or after <paramref name="since"/>, oldest update first (ties by id), or newest first.</summary>
    public IReadOnlyList<PlaygroundUser> UpdatedSince(DateTimeOffset since, bool descending = false)
    {
        lock (_gate)
        {
            var matching = _users.Where(u => u.UpdatedAt >= since);
            return descending
                ? [.. matching.OrderByDescending(u => u.UpdatedAt).ThenByDescending(u => u.Id, StringComparer.Ordinal)]
                : [.. matching.OrderBy(u => u.UpdatedAt).ThenBy(u => u.Id, StringComparer.Ordinal)];
        }
    }

    private static PlaygroundUser NewUser(int index, DateTimeOffset created, DateTimeOffset updated)
    {
        var first = FirstNames[index % FirstNames.Length];
        var last = LastNames[index / FirstNames.Length % LastNames.Length];
        return new PlaygroundUser(
            Id: new Guid(index + 1, 0x6869, 0x4aae, 0xb9, 0x89, 0xb5, 0x14, 0xa8, 0xe4, 0x5d, 0xc6).ToString(),
            Name: $"{first} {last}",
            Email: $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{index}@example.com",
            Address: string.Create(CultureInfo.InvariantCulture, $"{index + 1} Main Street, Springfield"),
            Company: $"{last} and Sons",
            Job: Jobs[index % Jobs.Length],
            UpdatedAt: updated,
            CreatedAt: created);
    }
}

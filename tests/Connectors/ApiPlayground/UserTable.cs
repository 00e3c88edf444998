using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>Assertions on the <c>user</c> table the pagination and authentication examples write.</summary>
internal static class UserTable
{
    /// <summary>The table holds exactly the playground's users, each with its latest name, job and <c>updatedAt</c>.</summary>
    public static Task AssertMatchesAsync(ConnectorHarness harness, PlaygroundUsers users) => AssertMatchesAsync(harness, users.All);

    /// <summary>The table holds exactly <paramref name="users"/>, each with its name, job and <c>updatedAt</c>.</summary>
    public static async Task AssertMatchesAsync(ConnectorHarness harness, IEnumerable<PlaygroundUser> users)
    {
        var rows = await harness.RowsAsync("user", "id");
        Assert.Equal(
            users.OrderBy(u => u.Id, StringComparer.Ordinal).Select(u => (u.Id, u.Name, u.Job, u.UpdatedAt)),
            rows.Select(r => ((string)r["id"]!, (string)r["name"]!, (string)r["job"]!, Utc(r["updated_at"]))));
        Assert.All(rows, r => Assert.NotNull(r["created_at"]));
    }

    /// <summary>A UTC_DATETIME column's value as a <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset Utc(object? value) => value switch
    {
        DateTimeOffset offset => offset,
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"Expected a timestamp, got {value?.GetType().Name ?? "null"}."),
    };
}

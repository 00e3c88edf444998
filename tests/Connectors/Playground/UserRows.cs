using System.Globalization;
using System.Text.Json.Nodes;
using Tributary.Connectors.Tests.Support;

namespace Tributary.Connectors.Tests.Playground;

/// <summary>The <c>user</c> table of the authentication examples, read back as (id, job, updatedAt) to compare with the fake's users.</summary>
public static class UserRows
{
    public static async Task<IReadOnlyList<(string Id, string Job, DateTimeOffset UpdatedAt)>> ReadAsync(ConnectorHarness harness)
    {
        var rows = await harness.RowsAsync("user", "id");
        return [.. rows.Select(row => ((string)row["id"]!, (string)row["job"]!, (DateTimeOffset)row["updated_at"]!))];
    }

    public static IReadOnlyList<(string Id, string Job, DateTimeOffset UpdatedAt)> Of(IEnumerable<JsonObject> users) =>
    [
        .. users
            .Select(user => (
                (string)user["id"]!,
                (string)user["job"]!,
                DateTimeOffset.Parse((string)user["updatedAt"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)))
            .OrderBy(user => user.Item1, StringComparer.Ordinal),
    ];
}

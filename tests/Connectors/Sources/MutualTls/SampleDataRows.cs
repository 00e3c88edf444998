using System.Globalization;
using System.Text.Json.Nodes;
using Tributary.Sdk.Testing;

namespace Tributary.Connectors.Tests.Sources.MutualTls;

/// <summary>The <c>sample_data</c> rows of the certificate examples, as synced and as the fake serves them, for comparing.</summary>
internal static class SampleDataRows
{
    /// <summary>The synced table, in id order.</summary>
    public static async Task<IReadOnlyList<(long Id, string Content, DateTimeOffset UpdatedAt)>> RowsAsync(ConnectorHarness harness) =>
        [.. (await harness.RowsAsync("sample_data", "id")).Select(r => ((long)r["id"]!, (string)r["content"]!, (DateTimeOffset)r["updated_at"]!))];

    /// <summary>The rows <paramref name="records"/> (the fake's <see cref="MutualTlsFake.Records"/>) should sync to.</summary>
    public static IReadOnlyList<(long Id, string Content, DateTimeOffset UpdatedAt)> Expected(IEnumerable<JsonObject> records) =>
        [.. records.Select(r => (
            (long)r["id"]!.GetValue<int>(),
            (string)r["content"]!,
            DateTimeOffset.Parse((string)r["updated_at"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)))];
}

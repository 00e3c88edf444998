using Tributary.Connectors.Tests.Support;

namespace Tributary.Connectors.Tests.Relational;

/// <summary>Destination rows as text, for comparing a rerun's tables with a clean sync's.</summary>
internal static class ComparableRows
{
    /// <summary>Each row's columns and values, without the time it was written (which differs between two harnesses).</summary>
    public static List<string> Of(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) =>
        [.. rows.Select(r => string.Join("|", r.Where(c => c.Key != RunAssert.Synced).Select(c => $"{c.Key}={c.Value}")))];
}

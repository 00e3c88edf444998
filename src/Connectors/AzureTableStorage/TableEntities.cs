using Azure.Data.Tables;

namespace Tributary.Connectors.AzureTableStorage;

/// <summary>An entity as a row: every property under its own name, typed as the service typed it (Edm.*).</summary>
internal static class TableEntities
{
    public static Dictionary<string, object?> ToRow(TableEntity entity)
    {
        var row = new Dictionary<string, object?>(entity.Count, StringComparer.Ordinal);
        foreach (var (name, value) in entity)
        {
            if (name.StartsWith("odata.", StringComparison.Ordinal))
            {
                continue;   // the ETag and type annotations are the protocol's, not the entity's
            }

            row[name] = value switch
            {
                DateTimeOffset time => time.ToUniversalTime(),   // Edm.DateTime, and the Timestamp: UTC instants
                BinaryData bytes => bytes.ToArray(),             // Edm.Binary
                _ => value,                                      // string, int, long, double, bool, Guid
            };
        }

        return row;
    }
}

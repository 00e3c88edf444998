using System.Text.Json.Nodes;

namespace Tributary.Connectors.VeevaVault;

/// <summary>A VQL record as a row: list values (picklists, multi-value references) become their JSON text, as the
/// Fivetran original writes them.</summary>
internal static class VaultRows
{
    public static JsonObject From(JsonObject record)
    {
        var row = new JsonObject();
        foreach (var (name, value) in record)
        {
            row[name] = value is JsonArray list ? JsonValue.Create(list.ToJsonString()) : value?.DeepClone();
        }

        return row;
    }
}

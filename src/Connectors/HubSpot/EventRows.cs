using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Connectors.HubSpot;

/// <summary>An event occurrence as a row, flattened as the Fivetran original does it.</summary>
internal static class EventRows
{
    /// <summary>Top-level fields stay; a nested object (<c>properties</c>) gives its fields to the row, so <c>hs_url</c>
    /// becomes a column; a list becomes its JSON text.</summary>
    public static JsonObject Flatten(JsonObject occurrence)
    {
        var row = new JsonObject();
        foreach (var (name, value) in occurrence)
        {
            if (value is JsonObject nested)
            {
                foreach (var (innerName, innerValue) in nested)
                {
                    row[innerName] = Scalar(innerValue);
                }
            }
            else
            {
                row[name] = Scalar(value);
            }
        }

        return row;
    }

    private static JsonNode? Scalar(JsonNode? value) => value switch
    {
        JsonArray or JsonObject => JsonValue.Create(value.ToJsonString(JsonSerializerOptions.Default)),
        _ => value?.DeepClone(),
    };
}

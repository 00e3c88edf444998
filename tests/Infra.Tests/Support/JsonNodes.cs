using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Infra.Tests.Support;

/// <summary>Small readers over System.Text.Json nodes that fail with the path that was wrong.</summary>
internal static class JsonNodes
{
    public static JsonObject LoadObject(string path) =>
        JsonNode.Parse(File.ReadAllText(path))?.AsObject()
        ?? throw new InvalidDataException($"{path} holds no JSON object.");

    /// <summary>The node at a dotted path ("properties.siteConfig.minTlsVersion"), or null when any part is missing.</summary>
    public static JsonNode? At(this JsonNode node, string dottedPath)
    {
        JsonNode? current = node;
        foreach (var part in dottedPath.Split('.'))
        {
            current = current is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public static string String(this JsonNode node, string dottedPath) =>
        node.At(dottedPath) is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new InvalidDataException($"{dottedPath} is not a string in {Describe(node)}: {node.At(dottedPath)?.ToJsonString() ?? "missing"}");

    public static bool Bool(this JsonNode node, string dottedPath) =>
        node.At(dottedPath) is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? value.GetValue<bool>()
            : throw new InvalidDataException($"{dottedPath} is not a literal boolean in {Describe(node)}: {node.At(dottedPath)?.ToJsonString() ?? "missing"}");

    public static int Int(this JsonNode node, string dottedPath) =>
        node.At(dottedPath) is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? value.GetValue<int>()
            : throw new InvalidDataException($"{dottedPath} is not a literal number in {Describe(node)}: {node.At(dottedPath)?.ToJsonString() ?? "missing"}");

    /// <summary>The members of "resources", which is an array, or an object keyed by symbolic name (languageVersion 2.0).</summary>
    public static IEnumerable<KeyValuePair<string, JsonObject>> Members(JsonNode? node) => node switch
    {
        JsonArray array => array.Select((item, index) => KeyValuePair.Create(index.ToString(System.Globalization.CultureInfo.InvariantCulture), item!.AsObject())),
        JsonObject obj => obj.Select(pair => KeyValuePair.Create(pair.Key, pair.Value!.AsObject())),
        _ => [],
    };

    private static string Describe(JsonNode node) =>
        node is JsonObject obj && obj["type"] is JsonValue type ? $"{type}" : node.GetPath();
}

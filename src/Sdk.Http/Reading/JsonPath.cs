using System.Text.Json.Nodes;

namespace Tributary.Sdk.Http.Reading;

/// <summary>Dot-separated property paths into JSON, <c>paging.next.after</c>: how paginators and records name a value.</summary>
internal static class JsonPath
{
    public static string[] Split(string? path) =>
        string.IsNullOrEmpty(path) ? [] : path.Split('.', StringSplitOptions.TrimEntries);

    /// <summary>The value at <paramref name="path"/>, or <see langword="null"/> when a step is missing or not an object.</summary>
    public static JsonNode? Get(JsonNode? node, string path)
    {
        foreach (var name in Split(path))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The value at <paramref name="path"/> as text (a string as is, a number or boolean as written); null when absent, null or empty.</summary>
    public static string? GetText(JsonNode? node, string path)
    {
        var value = Get(node, path);
        var text = value is JsonValue scalar && scalar.TryGetValue<string>(out var s) ? s : value?.ToJsonString();
        return string.IsNullOrEmpty(text) || text == "null" ? null : text;
    }

    /// <summary>The value at <paramref name="path"/> as a number; null when absent or not a number.</summary>
    public static long? GetInt64(JsonNode? node, string path) =>
        Get(node, path) is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : long.TryParse(GetText(node, path), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null;

    /// <summary>The value at <paramref name="path"/> as a boolean; null when absent or not a boolean.</summary>
    public static bool? GetBoolean(JsonNode? node, string path) =>
        Get(node, path) is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Runtime.State;

/// <summary>How state envelopes and run records are written: camelCase, indented, enums as names.</summary>
public static class StateJson
{
    /// <summary>The serializer options for state files and run records.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}

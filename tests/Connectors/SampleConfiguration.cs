using System.Text.Json;

namespace Tributary.Connectors.Tests;

/// <summary>Reads an example folder's <c>configuration.json</c>, copied beside the tests, so the samples stay runnable.</summary>
public static class SampleConfiguration
{
    public static Dictionary<string, string> Read(string exampleFolder)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "samples", exampleFolder, "configuration.json");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"{path} is not a JSON object of strings.");
    }
}

using System.Text.Json.Nodes;
using Tributary.Runtime.State;

namespace Tributary.Runtime.Tests.Support;

public static class RunAssert
{
    public static void Succeeded(RunRecord run)
    {
        Assert.True(run.Outcome == RunOutcome.Succeeded, $"Expected Succeeded, got {run.Outcome}: {run.Error}");
    }

    /// <summary>Asserts the run failed and returns its error.</summary>
    public static string Failed(RunRecord run)
    {
        Assert.True(run.Outcome == RunOutcome.Failed, $"Expected Failed, got {run.Outcome}: {run.Error}");
        Assert.False(string.IsNullOrEmpty(run.Error));
        return run.Error!;
    }

    public static void JsonEqual(string expected, JsonNode? actual)
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}, got {actual?.ToJsonString() ?? "null"}");
    }
}

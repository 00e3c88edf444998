using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Runtime.State;
using Xunit;

namespace Tributary.Connectors.Tests.Support;

/// <summary>Assertions on run records and state that print the run's error when they fail.</summary>
public static class RunAssert
{
    /// <summary>The names of the system columns with the default (<c>_tributary</c>) prefix.</summary>
    public const string Deleted = "_tributary_deleted";
    public const string Synced = "_tributary_synced";
    public const string SurrogateId = "_tributary_id";

    public static void Succeeded(RunRecord run) =>
        Assert.True(run.Outcome == RunOutcome.Succeeded, $"Expected the sync to succeed; it {run.Outcome}: {run.Error}");

    public static void Failed(RunRecord run, string expectedInError)
    {
        Assert.True(run.Outcome == RunOutcome.Failed, $"Expected the sync to fail; it {run.Outcome}: {run.Error}");
        Assert.NotNull(run.Error);
        Assert.Contains(expectedInError, run.Error, StringComparison.Ordinal);
    }

    /// <summary>Compares JSON by value, ignoring formatting.</summary>
    public static void JsonEqual(string expectedJson, JsonNode? actual) =>
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(expectedJson), actual),
            $"Expected {expectedJson}, got {actual?.ToJsonString() ?? "null"}");

    /// <summary>A secret appears in none of what syncs leave behind: the log lines, the run records, the saved state.</summary>
    public static async Task SecretKeptOutAsync(ConnectorHarness harness, string secret, params RunRecord[] runs)
    {
        Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        foreach (var run in runs)
        {
            Assert.DoesNotContain(secret, JsonSerializer.Serialize(run), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(secret, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Runtime.State;

namespace Tributary.Sdk.Testing;

/// <summary>
/// Assertions on run records, state and secrets, for any test framework: each throws a
/// <see cref="ConnectorAssertionException"/> whose message says what happened, the run's error included.
/// </summary>
public static class RunAssert
{
    /// <summary>The soft-delete system column (default <c>_tributary</c> prefix).</summary>
    public const string Deleted = "_tributary_deleted";

    /// <summary>The time-written system column.</summary>
    public const string Synced = "_tributary_synced";

    /// <summary>The surrogate key of a table without a primary key.</summary>
    public const string SurrogateId = "_tributary_id";

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The sync succeeded.</summary>
    public static void Succeeded(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Check(run.Outcome == RunOutcome.Succeeded, $"Expected the sync to succeed; it {run.Outcome}: {run.Error}");
    }

    /// <summary>The sync failed with an error that contains <paramref name="expectedInError"/>.</summary>
    public static void Failed(RunRecord run, string expectedInError)
    {
        ArgumentNullException.ThrowIfNull(run);
        Check(run.Outcome == RunOutcome.Failed, $"Expected the sync to fail; it {run.Outcome}: {run.Error}");
        Check(
            run.Error?.Contains(expectedInError, StringComparison.Ordinal) == true,
            $"Expected the sync's error to contain \"{expectedInError}\"; it was: {run.Error}");
    }

    /// <summary>JSON equal by value, ignoring formatting and property order.</summary>
    public static void JsonEqual(string expectedJson, JsonNode? actual) =>
        Check(
            JsonNode.DeepEquals(JsonNode.Parse(expectedJson), actual),
            $"Expected {expectedJson}, got {actual?.ToJsonString() ?? "null"}");

    /// <summary>A secret appears in none of what syncs leave behind: the log lines, the run records, the saved state.</summary>
    public static async Task SecretKeptOutAsync(ConnectorHarness harness, string secret, params RunRecord[] runs)
    {
        ArgumentNullException.ThrowIfNull(harness);
        ArgumentNullException.ThrowIfNull(runs);
        var where = FindSecret(secret, await harness.ReadStateAsync(), runs, harness.Logs.Lines);
        Check(where is null, $"A secret is in {where}.");
    }

    /// <summary>
    /// Where <paramref name="secret"/> — as is, URL-encoded or base64-encoded — occurs in the state, the run records or the
    /// log lines; null when nowhere.
    /// </summary>
    internal static string? FindSecret(string secret, JsonObject state, IEnumerable<RunRecord> runs, IEnumerable<string> logLines)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        (string Form, string Name)[] forms =
        [
            (secret, "as is"),
            (Uri.EscapeDataString(secret), "URL-encoded"),
            (Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret)), "base64-encoded"),
        ];
        string? Find(string text) =>
            forms.FirstOrDefault(f => text.Contains(f.Form, StringComparison.Ordinal)).Name;

        if (Find(JsonSerializer.Serialize(state, Unescaped)) is { } inState)
        {
            return $"the saved state ({inState}): {JsonSerializer.Serialize(state, Unescaped)}";
        }

        foreach (var run in runs)
        {
            if (Find(JsonSerializer.Serialize(run, Unescaped)) is { } inRun)
            {
                return $"the record of run {run.Id} ({inRun})";
            }
        }

        return logLines.FirstOrDefault(line => Find(line) is not null) is { } logged ? $"a log line ({Find(logged)}): {logged}" : null;
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ConnectorAssertionException(message);
        }
    }
}

/// <summary>A connector test's assertion or conformance check failed; the message says what to fix.</summary>
public sealed class ConnectorAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConnectorAssertionException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public ConnectorAssertionException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public ConnectorAssertionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

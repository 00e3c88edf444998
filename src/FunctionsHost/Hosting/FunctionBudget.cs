using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Azure.Queue;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>
/// A run's time limits from <c>functionTimeout</c> in host.json: the budget is the timeout minus a margin (default a fifth of
/// it, at least 30 seconds), the hard deadline the timeout minus a quarter of the margin. With the default 30 minutes that is a
/// 24-minute budget and a 28.5-minute deadline. No timeout, or <c>-1</c> (unbounded on Flex Consumption, where instances are
/// still recycled): 30 minutes is assumed.
/// </summary>
internal static class FunctionBudget
{
    /// <summary>What Flex Consumption gives a function that sets no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The limits for the host.json at <paramref name="hostJsonPath"/>.</summary>
    /// <exception cref="InvalidOperationException">host.json is missing or its <c>functionTimeout</c> is not a time span.</exception>
    public static QueuedSyncOptions FromHostJson(string hostJsonPath, TimeSpan? margin)
    {
        if (!File.Exists(hostJsonPath))
        {
            throw new InvalidOperationException($"host.json was not found at {hostJsonPath}; the Functions build copies it from the repository root.");
        }

        JsonNode? timeout;
        try
        {
            var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
            timeout = JsonNode.Parse(File.ReadAllText(hostJsonPath), documentOptions: options)?["functionTimeout"];
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"host.json at {hostJsonPath} is not valid JSON: {ex.Message}", ex);
        }

        return FromTimeout(Parse(timeout?.GetValue<string>(), hostJsonPath), margin);
    }

    /// <summary>The limits for a function timeout.</summary>
    public static QueuedSyncOptions FromTimeout(TimeSpan timeout, TimeSpan? margin)
    {
        var kept = margin ?? TimeSpan.FromTicks(Math.Max(timeout.Ticks / 5, TimeSpan.FromSeconds(30).Ticks));
        if (kept >= timeout)
        {
            throw new InvalidOperationException($"The timeout margin {kept} leaves no time in a function timeout of {timeout}.");
        }

        var options = new QueuedSyncOptions { TimeBudget = timeout - kept, HardDeadline = timeout - (kept / 4) };
        options.Validate();
        return options;
    }

    private static TimeSpan Parse(string? value, string path)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim() == "-1")
        {
            return DefaultTimeout;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero
            ? timeout
            : throw new InvalidOperationException($"functionTimeout '{value}' in {path} is not a time span such as 00:30:00.");
    }
}

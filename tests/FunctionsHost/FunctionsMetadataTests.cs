using System.Reflection;
using System.Text.Json.Nodes;

namespace Tributary.FunctionsHost.Tests;

/// <summary>What the Functions host will index: the build's <c>functions.metadata</c>.</summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<JsonArray> Metadata = new(() =>
    {
        var output = typeof(FunctionsMetadataTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsHostOutput").Value!;
        var path = Path.Combine(output, "functions.metadata");
        Assert.True(File.Exists(path), $"No functions.metadata at {path}: build src/FunctionsHost.");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray();
    });

    private static JsonObject Function(string name) =>
        Metadata.Value.Select(f => f!.AsObject()).SingleOrDefault(f => f["name"]!.GetValue<string>() == name)
        ?? throw new Xunit.Sdk.XunitException($"functions.metadata has no function '{name}'.");

    private static JsonObject Trigger(string name) =>
        Function(name)["bindings"]!.AsArray().Select(b => b!.AsObject()).Single(b => b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));

    [Fact]
    public void Metadata_Scheduler_IsOneTimerEveryMinute()
    {
        var trigger = Trigger("Scheduler");

        Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("0 * * * * *", trigger["schedule"]!.GetValue<string>());
        Assert.Single(Metadata.Value, f => f!["bindings"]!.AsArray().Any(b => b!["type"]!.GetValue<string>() == "timerTrigger"));
    }

    [Theory]
    [InlineData("ListConnections", "connections", "get", "Function")]
    [InlineData("GetConnection", "connections/{id}", "get", "Function")]
    [InlineData("StartSync", "connections/{id}/sync", "post", "Function")]
    [InlineData("Webhook", "connections/{id}/webhook", "post", "Anonymous")]
    [InlineData("ListConnectors", "connectors", "get", "Function")]
    public void Metadata_HttpRoutes_HaveMethodAndAuthorizationLevel(string function, string route, string method, string authLevel)
    {
        var trigger = Trigger(function);

        Assert.Equal("httpTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal(route, trigger["route"]!.GetValue<string>());
        Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(authLevel, trigger["authLevel"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("RunSync", "tributary-runs")]
    [InlineData("RecordPoisonedRun", "tributary-runs-poison")]
    public void Metadata_QueueTriggers_ReadRunQueuesOnTributaryStorage(string function, string queue)
    {
        var trigger = Trigger(function);

        Assert.Equal("queueTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal(queue, trigger["queueName"]!.GetValue<string>());
        Assert.Equal("TributaryStorage", trigger["connection"]!.GetValue<string>());
    }

    [Fact]
    public void Metadata_NothingElse_IsIndexed() =>
        Assert.Equal(
            ["GetConnection", "ListConnections", "ListConnectors", "RecordPoisonedRun", "RunSync", "Scheduler", "StartSync", "Webhook"],
            Metadata.Value.Select(f => f!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
}

using Tributary.Connectors.ApiKey;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.ApiKey;

/// <summary>
/// The key as <c>Authorization: apiKey &lt;key&gt;</c> (the shared tests) or as <c>?api_key=&lt;key&gt;</c> (its own tests),
/// chosen by <c>api_key_location</c>.
/// </summary>
public sealed class ApiKeyConnectorTests : AuthenticatedUsersConnectorTests
{
    protected override string Scheme => "api_key";

    protected override string Folder => "ApiKey";

    protected override IReadOnlyDictionary<string, string> Secrets { get; } = new Dictionary<string, string> { ["api_key"] = PlaygroundAuth.ApiKey };

    protected override string AuthorizationHeader => "apiKey " + PlaygroundAuth.ApiKey;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["api_key_location"] = "header" };

    protected override IReadOnlyDictionary<string, string> SampleSettings { get; } = new Dictionary<string, string> { ["api_key_location"] = "header" };

    protected override Connector CreateConnector() => new ApiKeyConnector();

    [Fact]
    public async Task UpdateAsync_KeyInQuery_KeyAppearsOnlyInTheQueryParameter()
    {
        await using var playground = await StartAsync();
        await using var harness = await HarnessAsync();
        var configuration = Configuration(playground);
        configuration["api_key_location"] = "query";
        RunAssert.Succeeded(await harness.RunAsync(new ApiKeyConnector(), configuration));
        playground.Api.Inject(Fault.Malformed(), when: r => r.Query["page"] == "1");
        var failed = await harness.RunAsync(new ApiKeyConnector(), configuration);

        RunAssert.Failed(failed, "/auth/api_key?");
        Assert.DoesNotContain(PlaygroundAuth.ApiKey, failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(PlaygroundAuth.ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(PlaygroundAuth.ApiKey, (await harness.ReadStateAsync()).ToJsonString(), StringComparison.Ordinal);
        Assert.All(playground.Api.Requests, r =>
        {
            Assert.Contains("api_key=" + PlaygroundAuth.ApiKey, r.PathAndQuery, StringComparison.Ordinal);
            Assert.False(r.Headers.ContainsKey("authorization"));
            Assert.DoesNotContain(
                PlaygroundAuth.ApiKey,
                r.ToString().Replace("api_key=" + PlaygroundAuth.ApiKey, "", StringComparison.Ordinal),
                StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task UpdateAsync_UnknownKeyLocation_FailsNamingTheKey()
    {
        await using var playground = await StartAsync();
        await using var harness = await HarnessAsync();
        var configuration = Configuration(playground);
        configuration["api_key_location"] = "cookie";

        var run = await harness.RunAsync(new ApiKeyConnector(), configuration);

        RunAssert.Failed(run, "'api_key_location' has value 'cookie'");
        Assert.Empty(playground.Api.Requests);
    }
}
